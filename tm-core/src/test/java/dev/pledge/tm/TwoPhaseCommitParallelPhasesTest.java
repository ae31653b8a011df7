package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The tests of {@link TwoPhaseCommitTest} with parallel phases on (those that assert the order of
 * calls across branches are replaced by what parallel phases promise), plus the promises themselves.
 */
class TwoPhaseCommitParallelPhasesTest extends TwoPhaseCommitTest {
    private static final long WAIT_SECONDS = 10;

    @Override
    Fixture fixture() {
        return Fixture.parallel();
    }

    /** Blocks in prepare (and optionally commit) until every resource sharing {@code inside} is in the same call. */
    private static final class Rendezvous extends ScriptedXAResource {
        final CountDownLatch prepares;
        final CountDownLatch commits;
        final Set<String> threads;

        Rendezvous(String name, CallLog log, CountDownLatch prepares, CountDownLatch commits, Set<String> threads) {
            super(name, log);
            this.prepares = prepares;
            this.commits = commits;
            this.threads = threads;
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            threads.add(Thread.currentThread().getName());
            meet(prepares);
            return super.prepare(xid);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            if (commits != null) {
                meet(commits);
            }
            super.commit(xid, onePhase);
        }

        /** Arrives and waits for the others; the call fails (a no vote / left to recovery) if they never come. */
        private static void meet(CountDownLatch latch) throws XAException {
            latch.countDown();
            try {
                if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new XAException(XAException.XAER_RMFAIL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XAException(XAException.XAER_RMFAIL);
            }
        }
    }

    @Test
    void preparesOfTwoBranchesRunAtTheSameTimeAndSoDoTheirCommits() throws Exception {
        CountDownLatch prepares = new CountDownLatch(2);
        CountDownLatch commits = new CountDownLatch(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Rendezvous a = new Rendezvous("a", f.log, prepares, commits, threads);
        Rendezvous b = new Rendezvous("b", f.log, prepares, commits, threads);
        f.begin(a, b);
        f.tm.commit(); // sequentially, the first prepare would wait for the second in vain and vote no
        assertEquals(1, f.journal.commits.size());
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(1, f.log.count("b.commit(false)"));
        assertEquals(2, threads.size(), "the caller ran one prepare, a worker the other: " + threads);
        assertTrue(threads.contains(Thread.currentThread().getName()), threads.toString());
        assertEquals(1, f.svc.metrics().getCommitted());
    }

    /** Ends its branch with success only once the other resource sharing {@code ends} is inside end too. */
    private static final class MeetingInEnd extends ScriptedXAResource {
        private final CountDownLatch ends;

        MeetingInEnd(String name, CallLog log, CountDownLatch ends) {
            super(name, log);
            this.ends = ends;
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            if (flags == TMSUCCESS) {
                try {
                    Rendezvous.meet(ends);
                } catch (XAException e) {
                    throw new IllegalStateException("the other branch's end never came", e);
                }
            }
            super.end(xid, flags);
        }
    }

    @Test
    void endsOfTwoBranchesRunAtTheSameTime() throws Exception {
        CountDownLatch ends = new CountDownLatch(2);
        MeetingInEnd a = new MeetingInEnd("a", f.log, ends);
        MeetingInEnd b = new MeetingInEnd("b", f.log, ends);
        f.begin(a, b);
        f.tm.commit(); // sequentially, the first end would wait for the second in vain, fail, and roll back
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(1, f.log.count("b.commit(false)"));
    }

    /** Resources whose prepares return only once all of them are inside prepare. */
    private List<ScriptedXAResource> meetingInPrepare(String... names) {
        CountDownLatch prepares = new CountDownLatch(names.length);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        return java.util.Arrays.stream(names).map(n -> (ScriptedXAResource) new Rendezvous(n, f.log, prepares, null, threads)).toList();
    }

    @Test
    void aNoVoteWhileOthersArePreparingRollsBackEveryBranchAndLogsNoDecision() throws Exception {
        List<ScriptedXAResource> r = meetingInPrepare("a", "b", "c");
        ScriptedXAResource a = r.get(0);
        ScriptedXAResource b = r.get(1);
        ScriptedXAResource c = r.get(2);
        b.prepareError = XAException.XA_RBINTEGRITY;
        f.begin(a, b, c);
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("b voted no"), e.getMessage());
        assertEquals(1, f.log.count("a.prepare"));
        assertEquals(1, f.log.count("c.prepare"), "every branch votes: they run at once");
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("c.rollback"));
        assertEquals(0, f.log.count("b.rollback"), "b rolled back on its own (XA_RB*)");
        assertEquals(0, f.log.count("a.commit") + f.log.count("c.commit"));
        assertTrue(f.journal.commits.isEmpty(), "presumed abort: no decision logged");
        assertTrue(a.prepared.isEmpty() && c.prepared.isEmpty(), "nothing left prepared");
        assertEquals(1, f.svc.metrics().getRolledBack());
    }

    @Test
    void closeStopsThePhaseThreads() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.begin(a, b);
        f.tm.commit();
        String prefix = "pledge-2pc-" + f.svc.nodeName() + "-";
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
        assertFalse(workers.isEmpty(), "a worker ran the second branch");
        assertTrue(workers.stream().allMatch(Thread::isDaemon));
        f.svc.close();
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(t.isAlive(), t.getName() + " still runs after close()");
        }
    }

    /** Not a test with parallel phases: every branch is asked at once (see the no-vote test above). */
    @Override
    void sequentialPhasesAskNoBranchAfterANoVote() {
    }
}
