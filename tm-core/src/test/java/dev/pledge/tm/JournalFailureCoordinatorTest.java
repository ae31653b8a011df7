package dev.pledge.tm;

import dev.pledge.tm.log.file.FileJournals;
import dev.pledge.tm.log.file.FaultyChannels;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.file.FileJournal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the coordinator does when the recovery log fails under a commit, with real two-phase
 * transactions over two {@link FileResourceManager}s and a journal whose files fail on demand
 * ({@link FaultyChannels}): it rolls back only decisions that were not written, never one that
 * is durable or may be.
 */
class JournalFailureCoordinatorTest {
    @TempDir
    Path tmp;

    private FileResourceManager a;
    private FileResourceManager b;

    private Path log() {
        return tmp.resolve("log");
    }

    private TransactionService service(FaultyChannels faulty, long segmentBytes) {
        a = new FileResourceManager("rm-a", tmp.resolve("rm-a"));
        b = new FileResourceManager("rm-b", tmp.resolve("rm-b"));
        return TransactionService.builder().nodeName("journal-failure").logDirectory(log()).recoveryInterval(Duration.ZERO)
                .journal(c -> FileJournals.open(c.logDirectory(), true, segmentBytes, faulty)).build();
    }

    /** A restart on a healthy disk: the replay decides and the first recovery pass carries it out. */
    private void restartAndRecover() {
        TransactionService.builder().nodeName("journal-failure").logDirectory(log()).recoveryInterval(Duration.ZERO)
                .recoveryResource(a.name, a::connect).recoveryResource(b.name, b::connect).build().close();
    }

    private void twoPhase(TransactionManager tm, String id) throws Exception {
        FileResourceManager.Connection ca = a.connect();
        FileResourceManager.Connection cb = b.connect();
        tm.begin();
        tm.getTransaction().enlistResource(ca);
        tm.getTransaction().enlistResource(cb);
        ca.write(id);
        cb.write(id);
        tm.commit();
    }

    @Test
    void aFailedForceLeavesTheBranchesPreparedStopsTheLogAndTheRestartCommitsTheDecision() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        try (TransactionService svc = service(faulty, FileJournals.DEFAULT_SEGMENT_BYTES)) {
            TransactionManager tm = svc.transactionManager();
            twoPhase(tm, "before");
            faulty.failForce = true; // fsync reports EIO after the record reached the page cache
            SystemException unknown = assertThrows(SystemException.class, () -> twoPhase(tm, "unknown"));
            assertTrue(unknown.getMessage().contains("unknown") && unknown.getMessage().contains("restart"), unknown.getMessage());
            assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus(), "the thread is free again");
            assertEquals(1, a.preparedBranches().size(), "not rolled back: the decision may be durable");
            assertEquals(1, b.preparedBranches().size(), "not rolled back: the decision may be durable");
            assertFalse(a.committedWork().contains("unknown"), "nor committed: the decision may be lost");

            faulty.failForce = false; // the disk seems fine again, but what the failed force held is not to be trusted
            RollbackException refused = assertThrows(RollbackException.class, () -> twoPhase(tm, "refused"));
            assertTrue(refused.getMessage().contains("could not be written"), refused.getMessage());
            assertEquals(1, a.preparedBranches().size(), "the refused transaction was rolled back, nothing else");

            svc.recovery().register(a.name, a::connect);
            svc.recovery().register(b.name, b::connect);
            JournalException stopped = assertThrows(JournalException.class, () -> svc.recovery().runPass());
            assertTrue(stopped.getMessage().contains("Restart the service"), stopped.getMessage());
            assertEquals(1, a.preparedBranches().size(), "recovery in this process must neither commit nor presume abort");
            assertEquals(1, b.preparedBranches().size(), "recovery in this process must neither commit nor presume abort");
        }
        restartAndRecover();
        assertTrue(a.preparedBranches().isEmpty() && b.preparedBranches().isEmpty(), "recovery finished the in-doubt branches");
        assertEquals(Set.of("before", "unknown"), a.committedWork(), "the record was on disk, so the restart committed it");
        assertEquals(Set.of("before", "unknown"), b.committedWork());
    }

    @Test
    void aTransactionWhoseForcedDecisionIsFollowedByAFailedRollOverCommitsAndLaterOnesRollBack() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        faulty.where = p -> p.getFileName().toString().equals(FileJournals.NEXT_SEGMENT);
        Set<String> acknowledged = new HashSet<>();
        RollbackException refused = null;
        String refusedId = null;
        try (TransactionService svc = service(faulty, 4 * 1024)) {
            faulty.onlyChannelsOpenedFromNowOn();
            faulty.failOpen = true; // the next segment cannot be made: the roll-over after some decision's force fails
            TransactionManager tm = svc.transactionManager();
            for (int i = 0; i < 1000 && refused == null; i++) {
                String id = "tx-" + i;
                try {
                    twoPhase(tm, id);
                    acknowledged.add(id);
                } catch (RollbackException e) {
                    refused = e;
                    refusedId = id;
                }
            }
            assertNotNull(refused, "the roll-over never failed");
            assertTrue(acknowledged.size() > 10, "decisions filled the segment first: " + acknowledged.size());
            assertEquals(acknowledged, a.committedWork(), "every decision whose force stood was carried out, none rolled back");
            assertEquals(acknowledged, b.committedWork());
            assertTrue(a.preparedBranches().isEmpty() && b.preparedBranches().isEmpty(), "the refused one was rolled back");
        }
        restartAndRecover();
        assertEquals(acknowledged, a.committedWork(), "the restart commits nothing more and rolls back nothing committed");
        assertEquals(acknowledged, b.committedWork());
        assertFalse(a.committedWork().contains(refusedId));
    }

    /** Runs {@link FailedForceChild}, which halts after the failed force; then a new process recovers from the same log. */
    private Set<String> crashAfterAFailedForceAndRecover(String mode) throws Exception {
        Path rmA = tmp.resolve("rm-a");
        Path rmB = tmp.resolve("rm-b");
        ChildJvm.Result work = ChildJvm.run(tmp.resolve("work.out"), 60, FailedForceChild.class, log().toString(), rmA.toString(),
                rmB.toString(), mode);
        assertEquals(CrashChild.HALT_STATUS, work.exitCode(), work.output());
        assertTrue(work.output().contains(FailedForceChild.UNKNOWN), work.output());
        FileResourceManager ra = new FileResourceManager("rm-a", rmA);
        FileResourceManager rb = new FileResourceManager("rm-b", rmB);
        assertEquals(1, ra.preparedBranches().size(), "the crash left the branch in doubt");
        assertEquals(1, rb.preparedBranches().size(), "the crash left the branch in doubt");
        ChildJvm.Result recover = ChildJvm.run(tmp.resolve("recover.out"), 60, CrashChild.class, "recover", log().toString(),
                rmA.toString(), rmB.toString());
        assertEquals(0, recover.exitCode(), "recovery leaves nothing pending:\n" + recover.output());
        assertTrue(ra.preparedBranches().isEmpty() && rb.preparedBranches().isEmpty(), "recovery finished the in-doubt branches");
        assertEquals(ra.committedWork(), rb.committedWork(), "one outcome on both resources");
        return ra.committedWork();
    }

    @Test
    void afterAFailedForceAndACrashTheRestartCommitsTheDecisionThatReachedTheFile() throws Exception {
        assertEquals(Set.of("before", "unknown"), crashAfterAFailedForceAndRecover("keep"));
    }

    @Test
    void afterAFailedForceWhoseBytesNeverReachedTheFileAndACrashTheRestartPresumesAbort() throws Exception {
        assertEquals(Set.of("before"), crashAfterAFailedForceAndRecover("lose"));
    }
}
