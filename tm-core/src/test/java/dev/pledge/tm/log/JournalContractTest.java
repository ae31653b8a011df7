package dev.pledge.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/**
 * What every recovery log promises the coordinator, run once per log implementation (the file log,
 * and the database log on H2, PostgreSQL and MariaDB). A subclass opens and reopens its log.
 */
public abstract class JournalContractTest {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private final byte[] prefix = ("contract:" + Long.toHexString(System.nanoTime())).getBytes(StandardCharsets.UTF_8);

    /** Opens the log under test; a second call after {@code close()} reopens the same log. */
    protected abstract Journal open() throws Exception;

    /** The node name whose gtrids the log holds (the database log keeps one node's decisions). */
    protected String nodeName() {
        return "contract-node";
    }

    protected CommitRecord decision() {
        byte[] node = nodeName().getBytes(StandardCharsets.UTF_8);
        byte[] g = Arrays.copyOf(node, node.length + Gtrid.SUFFIX_LENGTH);
        g[node.length] = ':';
        long boot = Arrays.hashCode(prefix);
        long seq = SEQUENCE.incrementAndGet();
        for (int i = 0; i < 8; i++) {
            g[node.length + 1 + i] = (byte) (boot >>> (56 - 8 * i));
            g[node.length + 9 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return new CommitRecord(new Gtrid(g), List.of(new BranchRecord(new byte[] {1, 2}, "db-a"), new BranchRecord(new byte[] {3}, "mq-b")),
                System.currentTimeMillis());
    }

    @Test
    void decisionsAreDurableAcrossReopenWithTheirBranches() throws Exception {
        CommitRecord a = decision();
        CommitRecord b = decision();
        try (Journal j = open()) {
            j.logCommit(a);
            j.logCommit(b);
            assertEquals(a, j.pendingCommit(a.gtrid()));
        }
        try (Journal j = open()) {
            assertEquals(Set.of(a, b), new HashSet<>(j.pendingCommits()));
            CommitRecord back = j.pendingCommit(b.gtrid());
            assertNotNull(back);
            assertEquals(b.branches(), back.branches());
            assertEquals(b.decidedAtMillis(), back.decidedAtMillis());
        }
    }

    @Test
    void completionRemovesTheDecisionAtOnceAndForGood() throws Exception {
        CommitRecord done = decision();
        CommitRecord open = decision();
        try (Journal j = open()) {
            j.logCommit(done);
            j.logCommit(open);
            j.logCompleted(done.gtrid());
            assertNull(j.pendingCommit(done.gtrid()), "a completed decision leaves the pending view at once");
            assertEquals(List.of(open), List.copyOf(j.pendingCommits()));
            j.logCompleted(decision().gtrid()); // unknown: ignored
        }
        try (Journal j = open()) {
            assertNull(j.pendingCommit(done.gtrid()), "the completion was written by close at the latest");
            assertEquals(List.of(open), List.copyOf(j.pendingCommits()));
        }
    }

    @Test
    void heuristicsStayUntilResolvedAcrossReopen() throws Exception {
        CommitRecord kept = decision();
        CommitRecord resolved = decision();
        HeuristicRecord h = new HeuristicRecord(kept.gtrid(), kept.branches().get(0), XAException.XA_HEURRB, true, 42);
        HeuristicRecord r = new HeuristicRecord(resolved.gtrid(), resolved.branches().get(1), XAException.XA_HEURMIX, true, 43);
        try (Journal j = open()) {
            j.logHeuristic(h);
            j.logHeuristic(r);
            assertEquals(2, j.heuristics().size());
            j.logResolved(resolved.gtrid());
            assertEquals(List.of(h), List.copyOf(j.heuristics()));
        }
        try (Journal j = open()) {
            assertEquals(List.of(h), List.copyOf(j.heuristics()));
            j.logResolved(kept.gtrid());
            assertTrue(j.heuristics().isEmpty());
        }
        try (Journal j = open()) {
            assertTrue(j.heuristics().isEmpty(), "a resolution is durable: " + j.heuristics());
        }
    }

    @Test
    void concurrentCommittersAreGroupedIntoFewerForcesAndAllSurvive() throws Exception {
        int threads = 16;
        int each = 25;
        List<CommitRecord> all = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            all.add(decision());
        }
        long forces;
        try (Journal j = open()) {
            long before = j.forceCount();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * each;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = from; i < from + each; i++) {
                        j.logCommit(all.get(i));
                        assertNotNull(j.pendingCommit(all.get(i).gtrid()));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            forces = j.forceCount() - before;
            assertEquals(all.size(), j.pendingCommits().size());
        }
        assertTrue(forces > 0 && forces < all.size(), threads + " concurrent committers must share forces: " + forces + " forces for "
                + all.size() + " decisions");
        try (Journal j = open()) {
            assertEquals(new HashSet<>(all), new HashSet<>(j.pendingCommits()));
        }
    }

    @Test
    void aLoneCommitterIsForcedOncePerDecision() throws Exception {
        try (Journal j = open()) {
            long before = j.forceCount();
            for (int i = 0; i < 5; i++) {
                j.logCommit(decision());
            }
            assertEquals(5, j.forceCount() - before);
        }
    }

    @Test
    void anInterruptedCommitterIsServedAndKeepsItsInterrupt() throws Exception {
        CommitRecord d = decision();
        try (Journal j = open()) {
            Thread.currentThread().interrupt();
            try {
                j.logCommit(d);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt is the caller's: kept, not swallowed");
            }
            j.logCommit(decision()); // and the log still works
        }
        try (Journal j = open()) {
            assertNotNull(j.pendingCommit(d.gtrid()), "the interrupted committer's decision is durable");
        }
    }

    @Test
    void pendingCommitsIsASnapshot() throws Exception {
        try (Journal j = open()) {
            CommitRecord a = decision();
            j.logCommit(a);
            var snapshot = j.pendingCommits();
            j.logCompleted(a.gtrid());
            j.logCommit(decision());
            assertEquals(List.of(a), List.copyOf(snapshot));
        }
    }
}
