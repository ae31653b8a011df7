package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prepared branch that is gone at its phase-two commit ({@code XAER_NOTA}) was finished by someone
 * else, as commit or rollback: a heuristic hazard, never a silent success. And the usual someone
 * else, a second live service with the same node name, is refused.
 */
class VanishedBranchTest {
    @TempDir
    Path tmp;

    @Test
    void aBranchGoneBeforeItsPhaseTwoCommitIsAHeuristicHazardNotACommit() throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            ScriptedXAResource b = f.resource("b");
            b.commitError = XAException.XAER_NOTA;
            f.begin(a, b);
            HeuristicMixedException e = assertThrows(HeuristicMixedException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("a=committed") && e.getMessage().contains("b=heuristic"), e.getMessage());
            assertEquals(1, f.journal.heuristics.size(), "the hazard is kept in the log for an operator");
            HeuristicRecord h = f.journal.heuristics.get(0);
            assertEquals(XAException.XA_HEURHAZ, h.xaCode());
            assertEquals("b", h.branch().resourceName());
            assertTrue(h.decisionWasCommit());
            assertEquals(0, f.log.count("b.forget"), "the resource no longer knows the branch: nothing to forget");
            assertEquals(1, f.svc.metrics().getHeuristic());
            assertEquals(0, f.svc.metrics().getCommitted(), "not counted as a commit");
            assertTrue(f.journal.pending.isEmpty(), "no branch is left for recovery: the decision is complete");
        }
    }

    /**
     * Two JVMs share two resource managers. This one is in phase two when a second service with
     * the same node name (on its own log) starts and recovers them: it is refused, and the commit
     * finishes on both. With the claims in separate directories (another user, say), the second
     * service is not stopped: its pass rolls back the prepared branch, and this commit reports the
     * hazard instead of success.
     */
    @Test
    void aSecondServiceWithTheSameNodeNameIsRefusedAndWhereItIsNotTheVanishedBranchIsReported() throws Exception {
        Path claims = tmp.resolve("claims");
        assertEquals(SharedNodeRecoveryChild.REFUSED, commitWhileASecondServiceRecovers("vb-shared", claims, claims, null).exitCode());
        assertTrue(lastChild.get().output().contains("'vb-shared' is already in use by another live process on this host"),
                lastChild.get().output());
        assertEquals(Set.of("vb-shared-1"), new FileResourceManager("rm-a", tmp.resolve("rm-a")).committedWork());
        assertEquals(Set.of("vb-shared-1"), new FileResourceManager("rm-b", tmp.resolve("rm-b")).committedWork());

        AtomicReference<Throwable> outcome = new AtomicReference<>();
        ChildJvm.Result other = commitWhileASecondServiceRecovers("vb-apart", tmp.resolve("claims-1"), tmp.resolve("claims-2"), outcome);
        assertEquals(0, other.exitCode(), other.output());
        assertTrue(other.output().contains("1 rolled back"), "the other service rolled back the prepared branch: " + other.output());
        assertTrue(outcome.get() instanceof HeuristicMixedException, "commit must not report success: " + outcome.get());
        assertTrue(outcome.get().getMessage().contains("rm-b=heuristic"), outcome.get().getMessage());
        assertFalse(new FileResourceManager("rm-b", tmp.resolve("rm-b")).committedWork().contains("vb-apart-1"));
    }

    private final AtomicReference<ChildJvm.Result> lastChild = new AtomicReference<>();

    private ChildJvm.Result commitWhileASecondServiceRecovers(String node, Path myClaims, Path otherClaims,
                                                              AtomicReference<Throwable> outcome) throws Exception {
        FileResourceManager rmA = new FileResourceManager("rm-a", tmp.resolve("rm-a"));
        FileResourceManager rmB = new FileResourceManager("rm-b", tmp.resolve("rm-b"));
        rmB.hooks = point -> {
            if (point.equals("commit:before") && lastChild.get() == null) {
                try {
                    lastChild.set(ChildJvm.run(tmp.resolve(node + "-child.out"), 60, SharedNodeRecoveryChild.class,
                            tmp.resolve(node + "-child-log").toString(), rmA.dir.toString(), rmB.dir.toString(), node, otherClaims.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        lastChild.set(null);
        try (TransactionService svc = TransactionService.builder().nodeName(node).logDirectory(tmp.resolve(node + "-log"))
                .nodeLockDirectory(myClaims).recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            FileResourceManager.Connection a = rmA.connect();
            FileResourceManager.Connection b = rmB.connect();
            tm.begin();
            tm.getTransaction().enlistResource(a);
            tm.getTransaction().enlistResource(b);
            a.write(node + "-1");
            b.write(node + "-1");
            try {
                tm.commit();
            } catch (HeuristicMixedException e) {
                if (outcome == null) {
                    throw e;
                }
                outcome.set(e);
                assertEquals(List.of(XAException.XA_HEURHAZ), svc.journal().heuristics().stream().map(HeuristicRecord::xaCode).toList());
                assertEquals(1, svc.metrics().getHeuristic());
            }
        } finally {
            rmB.hooks = point -> { };
        }
        return lastChild.get();
    }
}
