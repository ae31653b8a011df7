package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts on every I/O path a commit can reach, roll-over and start-up included: NIO closes a
 * channel an interrupted thread uses, and the journal must neither fail the decision nor the log
 * for it, and must leave the interrupt to its caller.
 */
class FileJournalInterruptTest {
    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("journal-interrupt");

    private CommitRecord decision() {
        return new CommitRecord(xids.next(), List.of(new BranchRecord(TestGtrids.bqual(1), "db-a"),
                new BranchRecord(TestGtrids.bqual(2), "db-b")), System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    private static Set<Gtrid> gtrids(java.util.Collection<CommitRecord> records) {
        return Set.copyOf(records.stream().map(CommitRecord::gtrid).toList());
    }

    @Test
    void interruptsLandingDuringRollOversLoseNoDecisionAndLeaveTheLogUsable() throws Exception {
        List<CommitRecord> logged = new ArrayList<>();
        long lastSegment;
        try (FileJournal j = FileJournal.open(log(), true, 8 * 1024)) { // a roll-over every few dozen decisions
            Thread committer = Thread.currentThread();
            AtomicBoolean done = new AtomicBoolean();
            Thread interrupter = new Thread(() -> {
                while (!done.get()) {
                    committer.interrupt();
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 1_000_000));
                }
            });
            interrupter.start();
            try {
                for (int i = 0; i < 600; i++) {
                    CommitRecord d = decision();
                    j.logCommit(d); // interrupts close the channels of writes, forces, checkpoints and zero-fills
                    logged.add(d);
                }
            } finally {
                done.set(true);
                while (interrupter.isAlive()) {
                    try {
                        interrupter.join();
                    } catch (InterruptedException lastOne) {
                        // its last interrupt may land here
                    }
                }
                Thread.interrupted();
            }
            CommitRecord after = decision();
            j.logCommit(after);
            logged.add(after);
            List<Path> segments = j.segmentFiles();
            lastSegment = JournalReplay.number(segments.get(segments.size() - 1));
        }
        assertTrue(lastSegment > 5, "the decisions must roll the log over many times, rolled to " + lastSegment);
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(gtrids(logged), gtrids(j.pendingCommits()));
        }
    }

    @Test
    void anInterruptedCommitterWhoseDecisionFillsTheSegmentKeepsItsInterruptAndTheLogRollsOver() throws Exception {
        List<CommitRecord> logged = new ArrayList<>();
        try (FileJournal j = FileJournal.open(log(), true, 8 * 1024)) {
            for (int i = 0; i < 300; i++) {
                CommitRecord d = decision();
                Thread.currentThread().interrupt();
                j.logCommit(d);
                assertTrue(Thread.interrupted(), "the interrupt is the caller's to handle, decision " + i);
                logged.add(d);
            }
            List<Path> segments = j.segmentFiles();
            assertTrue(JournalReplay.number(segments.get(segments.size() - 1)) > 5, "rolled over: " + segments);
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(gtrids(logged), gtrids(j.pendingCommits()));
        }
    }

    @Test
    void openingTheLogOnAnInterruptedThreadReplaysItAndKeepsTheInterrupt() throws Exception {
        CommitRecord d = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(d);
        }
        Thread.currentThread().interrupt();
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is the caller's to handle");
            Thread.interrupted();
            assertEquals(Set.of(d.gtrid()), gtrids(j.pendingCommits()));
            j.logCommit(decision()); // the new segment's channel was not closed by the interrupt
        } finally {
            Thread.interrupted();
        }
    }
}
