package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class BridgeXAResourceTest {
    private record TestXid(int n) implements Xid {
        @Override
        public int getFormatId() {
            return 4711;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return new byte[] {(byte) n};
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {1};
        }
    }

    /** Records "session:call:xid"; prepare answers {@code vote} or throws {@code refusal}. */
    private static final class Recording implements XAResource {
        final String name;
        final List<String> calls;
        int vote = XA_OK;
        XAException refusal;
        /** What a commit of a branch the broker never saw throws; Artemis says XAER_NOTA. */
        int unknownBranchCode = XAException.XAER_NOTA;

        Recording(String name, List<String> calls) {
            this.name = name;
            this.calls = calls;
        }

        private void record(String call, Xid xid) {
            calls.add(name + ":" + call + (xid instanceof TestXid t ? ":" + t.n() : xid != null ? ":no-such-branch" : ""));
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            record("commit", xid);
            if (!(xid instanceof TestXid)) {
                throw new XAException(unknownBranchCode);
            }
        }

        @Override
        public void end(Xid xid, int flags) {
            record("end", xid);
        }

        @Override
        public void forget(Xid xid) {
            record("forget", xid);
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            record("prepare", xid);
            if (refusal != null) {
                throw refusal;
            }
            return vote;
        }

        @Override
        public Xid[] recover(int flag) {
            record("recover", null);
            return new Xid[0];
        }

        @Override
        public void rollback(Xid xid) {
            record("rollback", xid);
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            record("timeout=" + seconds, null);
            return true;
        }

        @Override
        public void start(Xid xid, int flags) {
            record("start", xid);
        }
    }

    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Recording work = new Recording("work", calls);
    private final Recording control = new Recording("control", calls);

    private static BlockingQueue<XAResource> pool(XAResource... sessions) {
        return new ArrayBlockingQueue<>(sessions.length, false, List.of(sessions));
    }

    private static CompletableFuture<Void> async(XaCall call) {
        return CompletableFuture.runAsync(() -> {
            try {
                call.run();
            } catch (XAException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private interface XaCall {
        void run() throws XAException;
    }

    @Test
    void aCommitWaitsUntilTheBranchStartedBeforeItOnAnyWorkingSessionHasCommitted() throws Exception {
        CommitOrder order = new CommitOrder("target", 30_000);
        BlockingQueue<XAResource> controls = pool(control, new Recording("control", calls));
        BridgeXAResource laneA = new BridgeXAResource("target", work, controls, order, 30_000);
        BridgeXAResource laneB = new BridgeXAResource("target", new Recording("work2", calls), controls, order, 30_000);
        TestXid first = new TestXid(1);
        TestXid second = new TestXid(2);
        laneA.start(first, XAResource.TMNOFLAGS);
        laneB.start(second, XAResource.TMNOFLAGS);
        laneA.end(first, XAResource.TMSUCCESS);
        laneB.end(second, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, laneA.prepare(first));
        assertEquals(XAResource.XA_OK, laneB.prepare(second));

        CompletableFuture<Void> secondCommit = async(() -> laneB.commit(second, false));
        Thread.sleep(300);
        assertTrue(!secondCommit.isDone() && calls.stream().noneMatch(c -> c.startsWith("control:") && c.contains("commit")),
                "the second branch committed before the first: " + calls);
        laneA.commit(first, false);
        secondCommit.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("control:commit:1", "control:commit:2"),
                calls.stream().filter(c -> c.startsWith("control:") && c.contains("commit")).toList());
        assertEquals(0, order.inFlight());
    }

    @Test
    void aRolledBackReadOnlyOrRefusedBranchDoesNotHoldUpTheNext() throws Exception {
        CommitOrder order = new CommitOrder("target", 30_000);
        BridgeXAResource r = new BridgeXAResource("target", work, pool(control), order, 30_000);
        TestXid rolledBack = new TestXid(1);
        TestXid readOnly = new TestXid(2);
        TestXid refused = new TestXid(3);
        TestXid last = new TestXid(4);
        for (TestXid x : List.of(rolledBack, readOnly, refused, last)) {
            r.start(x, XAResource.TMNOFLAGS);
            r.end(x, XAResource.TMSUCCESS);
        }
        r.rollback(rolledBack);
        control.vote = XAResource.XA_RDONLY;
        assertEquals(XAResource.XA_RDONLY, r.prepare(readOnly));
        control.vote = XAResource.XA_OK;
        control.refusal = new XAException(XAException.XA_RBROLLBACK);
        assertThrows(XAException.class, () -> r.prepare(refused));
        control.refusal = null;
        assertEquals(XAResource.XA_OK, r.prepare(last));

        async(() -> r.commit(last, false)).get(5, TimeUnit.SECONDS); // far below the 30 s order wait
        assertTrue(calls.contains("control:commit:4"), calls.toString());
        assertEquals(0, order.inFlight());
    }

    @Test
    void aStartWaitsUntilTheBranchBeforeItOnTheSameWorkingSessionHasEnded() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, pool(control), null, 30_000);
        TestXid first = new TestXid(1);
        TestXid second = new TestXid(2);
        TestXid third = new TestXid(3);
        r.start(first, XAResource.TMNOFLAGS);
        CompletableFuture<Void> secondStart = async(() -> r.start(second, XAResource.TMNOFLAGS));
        Thread.sleep(300);
        assertTrue(!secondStart.isDone() && !calls.contains("work:start:2"), "started while the first branch was associated: " + calls);
        r.end(first, XAResource.TMSUCCESS);
        secondStart.get(10, TimeUnit.SECONDS);

        // a branch rolled back without an end (the transaction manager gave up on it) frees the session too
        CompletableFuture<Void> thirdStart = async(() -> r.start(third, XAResource.TMNOFLAGS));
        Thread.sleep(100);
        assertTrue(!thirdStart.isDone(), calls.toString());
        r.rollback(second);
        thirdStart.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("work:start:1", "work:end:1", "work:commit:no-such-branch", "work:start:2", "control:rollback:2", "work:start:3"),
                calls);
    }

    @Test
    void aStartWhoseSessionIsNeverFreedFailsWithAPreciseMessage() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source-broker", work, pool(control), null, 200);
        r.start(new TestXid(1), XAResource.TMNOFLAGS);
        XAException e = assertThrows(XAException.class, () -> r.start(new TestXid(2), XAResource.TMNOFLAGS));
        assertEquals(XAException.XAER_RMFAIL, e.errorCode);
        assertEquals("the previous branch on a working session of source-broker was not ended within 200 ms", e.getMessage());
    }

    @Test
    void associationCallsGoToTheWorkingSessionAndCompletionCallsToAControlSession() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, pool(control), null, 1000);
        TestXid x = new TestXid(7);
        r.start(x, XAResource.TMNOFLAGS);
        r.end(x, XAResource.TMSUCCESS);
        r.prepare(x);
        r.commit(x, false);
        TestXid y = new TestXid(8);
        r.start(y, XAResource.TMNOFLAGS);
        r.end(y, XAResource.TMFAIL);
        r.rollback(y);
        assertEquals(List.of("work:start:7", "work:end:7", "work:commit:no-such-branch", "control:prepare:7", "control:commit:7",
                "work:start:8", "work:end:8", "work:commit:no-such-branch", "control:rollback:8"), calls);
    }

    @Test
    void aWorkingSessionThatCannotLetGoOfTheEndedBranchFailsTheEndAndStillFreesTheSession() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, pool(control), null, 1000);
        work.unknownBranchCode = XAException.XAER_RMFAIL;
        r.start(new TestXid(1), XAResource.TMNOFLAGS);
        XAException e = assertThrows(XAException.class, () -> r.end(new TestXid(1), XAResource.TMSUCCESS));
        assertEquals(XAException.XAER_RMFAIL, e.errorCode);
        work.unknownBranchCode = XAException.XAER_NOTA;
        r.start(new TestXid(2), XAResource.TMNOFLAGS); // not held up for the 1 s wait
        assertEquals(List.of("work:start:1", "work:end:1", "work:commit:no-such-branch", "work:start:2"), calls);
    }

    @Test
    void aBrokerThatRefusesTheUnknownBranchOtherwiseThanArtemisStillEndsTheBranch() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, pool(control), null, 1000);
        work.unknownBranchCode = XAException.XAER_PROTO;
        r.start(new TestXid(1), XAResource.TMNOFLAGS);
        r.end(new TestXid(1), XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, r.prepare(new TestXid(1)));
        r.commit(new TestXid(1), false);
        assertEquals(List.of("work:start:1", "work:end:1", "work:commit:no-such-branch", "control:prepare:1", "control:commit:1"), calls);
    }

    @Test
    void withoutControlSessionsEveryCallGoesToTheWorkingSession() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, null, null, 1000);
        TestXid x = new TestXid(3);
        r.start(x, XAResource.TMNOFLAGS);
        r.end(x, XAResource.TMSUCCESS);
        r.prepare(x);
        r.commit(x, false);
        assertEquals(List.of("work:start:3", "work:end:3", "work:prepare:3", "work:commit:3"), calls);
    }

    @Test
    void theTransactionTimeoutIsSentToTheBrokerOnlyWhenItChanges() throws Exception {
        BridgeXAResource r = new BridgeXAResource("source", work, null, null, 1000);
        assertTrue(r.setTransactionTimeout(60));
        assertTrue(r.setTransactionTimeout(60));
        assertTrue(r.setTransactionTimeout(30));
        assertTrue(r.setTransactionTimeout(30));
        assertEquals(List.of("work:timeout=60", "work:timeout=30"), calls);
    }
}
