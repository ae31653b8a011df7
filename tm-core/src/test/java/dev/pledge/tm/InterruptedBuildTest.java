package dev.pledge.tm;

import dev.pledge.tm.log.file.FileJournal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service built on a thread whose interrupt is set opens and replays its log all the same, and leaves the interrupt set. */
class InterruptedBuildTest {
    @TempDir
    Path tmp;

    @Test
    void buildingAServiceOnAnInterruptedThreadWorksAndKeepsTheInterrupt() throws Exception {
        XidFactory xids = new XidFactory("interrupted-build");
        Path log = tmp.resolve("log");
        CommitRecord d = new CommitRecord(xids.newGtrid(), List.of(new BranchRecord(PledgeXid.bqual(1), "db-a")), System.currentTimeMillis());
        try (FileJournal j = FileJournal.open(log, true)) {
            j.logCommit(d);
        }
        Thread.currentThread().interrupt(); // e.g. a container thread being cancelled while the application starts
        try (TransactionService svc = TransactionService.builder().nodeName("interrupted-build").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            assertTrue(Thread.interrupted(), "build() keeps the caller's interrupt");
            assertEquals(Set.of(d.gtrid()), Set.copyOf(svc.journal().pendingCommits().stream().map(CommitRecord::gtrid).toList()),
                    "the log was replayed");
            svc.journal().logCommit(new CommitRecord(xids.newGtrid(), List.of(new BranchRecord(PledgeXid.bqual(1), "db-a")),
                    System.currentTimeMillis()));
        } finally {
            Thread.interrupted();
        }
    }
}
