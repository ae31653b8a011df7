package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("journal-test");

    private CommitRecord decision() {
        Gtrid g = xids.next();
        return new CommitRecord(g, List.of(new BranchRecord(TestGtrids.bqual(1), "db-a"), new BranchRecord(TestGtrids.bqual(2), "db-b")),
                System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    static Path onlySegment(Path dir) throws IOException {
        List<Path> segments = JournalReplay.segments(dir);
        assertEquals(1, segments.size(), "segments: " + segments);
        return segments.get(0);
    }

    @Test
    void pendingDecisionsAndHeuristicsSurviveReopenButCompletedOnesDoNot() throws Exception {
        CommitRecord open = decision();
        CommitRecord done = decision();
        HeuristicRecord h = new HeuristicRecord(done.gtrid(), done.branches().get(0), XAException.XA_HEURRB, true, 42);
        CommitRecord resolved = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(open);
            j.logCommit(done);
            j.logCompleted(done.gtrid());
            j.logHeuristic(h);
            j.logHeuristic(new HeuristicRecord(resolved.gtrid(), resolved.branches().get(1), XAException.XA_HEURMIX, true, 43));
            j.logResolved(resolved.gtrid());
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(List.of(open), List.copyOf(j.pendingCommits()));
            assertNotNull(j.pendingCommit(open.gtrid()));
            assertNull(j.pendingCommit(done.gtrid()));
            assertEquals(List.of(h), List.copyOf(j.heuristics()));
        }
    }

    @Test
    void tornTailIsIgnoredAndEarlierRecordsSurvive() throws Exception {
        CommitRecord first = decision();
        CommitRecord second = decision();
        LoggedOffsets at = LoggedOffsets.write(log(), first, second);
        long sizeAfterFirst = at.afterFirst();
        long full = at.afterSecond();
        Path segment = onlySegment(log());
        byte[] original = Files.readAllBytes(segment);
        for (long cut = sizeAfterFirst + 1; cut < full; cut += 7) {
            Files.write(segment, java.util.Arrays.copyOf(original, (int) cut));
            FileJournal.inspect(log()); // must not throw
            try (FileJournal j = FileJournal.open(log(), true)) {
                assertNotNull(j.pendingCommit(first.gtrid()), "cut at " + cut);
                assertNull(j.pendingCommit(second.gtrid()), "the torn record must be ignored, cut at " + cut);
            }
            // reopening rewrote the log into a fresh segment; restore the torn one for the next cut
            for (Path p : JournalReplay.segments(log())) {
                Files.delete(p);
            }
            segment = log().resolve(JournalReplay.segmentName(1));
        }
    }

    @Test
    void zeroFilledTailIsIgnored() throws Exception {
        CommitRecord first = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(first);
        }
        Path segment = onlySegment(log());
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() + 4096); // as a preallocated file would look
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertNotNull(j.pendingCommit(first.gtrid()));
        }
    }

    @Test
    void damageBeforeTheTailStopsStartupWithFileAndOffset() throws Exception {
        try (FileJournal j = FileJournal.open(log(), true)) {
            for (int i = 0; i < 5; i++) {
                j.logCommit(decision());
            }
        }
        Path segment = onlySegment(log());
        int firstRecord = JournalReplay.SEGMENT_HEADER + RecordCodec.MARK_SIZE; // after the mark that begins each write
        int damaged = firstRecord + RecordCodec.FRAME_HEADER + 12;
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(damaged);
            f.write(new byte[] {0x55, 0x66, 0x77});
        }
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains(segment.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt at offset " + firstRecord), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("Restore"), e.getMessage());
        assertThrows(JournalException.class, () -> FileJournal.inspect(log()));
    }

    @Test
    void aSecondServiceOnTheSameDirectoryFailsAtOnce() {
        try (FileJournal first = FileJournal.open(log(), true)) {
            JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
            assertTrue(e.getMessage().contains("in use by another Pledge transaction service"), e.getMessage());
            assertTrue(e.getMessage().contains(log().toAbsolutePath().toString()), e.getMessage());
        }
        FileJournal.open(log(), true).close(); // released on close
    }

    @Test
    void theDirectoryIsCreatedOwnerOnly() throws Exception {
        FileJournal.open(log(), true).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log())));
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads at once and rethrows the first failure. */
    private static void onThreads(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    body.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void concurrentCommittersShareForces() throws Exception {
        int threads = 16;
        int perThread = 200;
        Set<Gtrid> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
        long forces;
        try (FileJournal j = FileJournal.open(log(), true)) {
            long before = j.forceCount();
            onThreads(threads, () -> {
                for (int i = 0; i < perThread; i++) {
                    CommitRecord d = decision();
                    j.logCommit(d);
                    written.add(d.gtrid());
                }
            });
            forces = j.forceCount() - before;
        }
        assertEquals(threads * perThread, written.size());
        assertTrue(forces < threads * perThread, "group commit must share forces: " + forces + " forces for " + threads * perThread + " commits");
        try (FileJournal j = FileJournal.open(log(), true)) {
            Set<Gtrid> recovered = new HashSet<>();
            j.pendingCommits().forEach(c -> recovered.add(c.gtrid()));
            assertEquals(written, recovered, "every acknowledged decision is durable");
        }
    }

    @Test
    void rollOversRacingConcurrentCommittersKeepExactlyTheUncompletedDecisions() throws Exception {
        int threads = 8;
        int perThread = 1000;
        Set<Gtrid> left = java.util.concurrent.ConcurrentHashMap.newKeySet();
        long lastSegment;
        // Segments of 64 KiB roll over every few hundred transactions, while the other threads keep appending.
        try (FileJournal j = FileJournal.open(log(), true, 64 * 1024)) {
            onThreads(threads, () -> {
                for (int i = 0; i < perThread; i++) {
                    CommitRecord d = decision();
                    j.logCommit(d);
                    if (i % 50 == 0) {
                        left.add(d.gtrid()); // never completed: every checkpoint must carry it
                    } else {
                        j.logCompleted(d.gtrid());
                    }
                }
            });
            List<Path> segments = j.segmentFiles();
            lastSegment = JournalReplay.number(segments.get(segments.size() - 1));
        }
        assertTrue(lastSegment > 5, "the test must roll over many times while others append, rolled to " + lastSegment);
        try (FileJournal j = FileJournal.open(log(), true)) {
            Set<Gtrid> recovered = new HashSet<>();
            j.pendingCommits().forEach(c -> recovered.add(c.gtrid()));
            assertEquals(left, recovered, "exactly the decisions never completed survive the roll-overs");
        }
    }

    @Test
    void manyCompletionsWithNoCommitAfterThemAreWrittenOutBeforeClose() throws Exception {
        List<CommitRecord> decisions = new ArrayList<>();
        try (FileJournal j = FileJournal.open(log(), false)) {
            for (int i = 0; i < 5000; i++) {
                CommitRecord d = decision();
                j.logCommit(d);
                decisions.add(d);
            }
            for (CommitRecord d : decisions) {
                j.logCompleted(d.gtrid()); // queued: no commit follows to take them along
            }
            // Read the files as a crash would leave them, while the journal is still open.
            int stillPending = FileJournal.inspect(log()).pendingCommits().size();
            assertTrue(stillPending < 5000 - 4000, "the queue must be written once it is long, yet " + stillPending + " of 5000 read as pending");
        }
        assertEquals(0, FileJournal.inspect(log()).pendingCommits().size(), "close writes the rest");
    }

    @Test
    void aLoneCommitterPaysOneForcePerDecisionAndNoneForCompletions() throws Exception {
        try (FileJournal j = FileJournal.open(log(), true)) {
            long before = j.forceCount();
            for (int i = 0; i < 100; i++) {
                CommitRecord d = decision();
                j.logCommit(d);
                j.logCompleted(d.gtrid());
            }
            assertEquals(100, j.forceCount() - before);
        }
    }

    /** docs/recovery.md: a heuristic outcome, and an operator's resolution of one, is forced (a completion is not). */
    @Test
    void aHeuristicOutcomeAndItsResolutionAreEachForced() throws Exception {
        CommitRecord d = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(d);
            long before = j.forceCount();
            j.logHeuristic(new HeuristicRecord(d.gtrid(), d.branches().get(0), XAException.XA_HEURMIX, true, 42));
            assertEquals(before + 1, j.forceCount(), "the heuristic outcome");
            j.logResolved(d.gtrid());
            assertEquals(before + 2, j.forceCount(), "the operator's resolution");
            j.logCompleted(d.gtrid());
            assertEquals(before + 2, j.forceCount(), "a completion rides along with the next write");
        }
    }

    @Test
    void aMillionTransactionsLeaveOnlyAFewSmallSegments() throws Exception {
        CommitRecord stuck = decision(); // one decision that never completes must survive every checkpoint
        HeuristicRecord unresolved = new HeuristicRecord(stuck.gtrid(), stuck.branches().get(1), XAException.XA_HEURMIX, true, 7);
        try (FileJournal j = FileJournal.open(log(), false, 4L * 1024 * 1024)) {
            j.logCommit(stuck);
            j.logHeuristic(unresolved); // and so must a heuristic outcome nobody resolved
            for (int i = 0; i < 1_000_000; i++) {
                CommitRecord d = decision();
                j.logCommit(d);
                j.logCompleted(d.gtrid());
            }
            List<Path> segments = j.segmentFiles();
            long bytes = 0;
            for (Path p : segments) {
                bytes += Files.size(p);
            }
            assertTrue(segments.size() <= 2, "segments: " + segments);
            assertTrue(bytes <= 2 * (4L * 1024 * 1024 + 256 * 1024) + 64 * 1024, "bytes (preallocated segments included): " + bytes);
            assertTrue(JournalReplay.number(segments.get(segments.size() - 1)) > 10, "the log was recycled many times: " + segments);
            assertEquals(0, j.forceCount(), "unsafeDisableFsync's journal never forces");
        }
        try (FileJournal j = FileJournal.open(log(), false)) {
            assertEquals(List.of(stuck), List.copyOf(j.pendingCommits()));
            assertEquals(List.of(unresolved), List.copyOf(j.heuristics()));
        }
        try (Stream<Path> files = Files.list(log())) {
            assertTrue(files.count() <= 3, "segments plus the lock file");
        }
    }

    @Test
    void segmentsArePreallocatedSoThatForcesNeverGrowTheFile() throws Exception {
        long max = 64 * 1024;
        try (FileJournal j = FileJournal.open(log(), true, max)) {
            Path first = onlySegment(log());
            long size = Files.size(first);
            assertTrue(size > max, "the segment is zero-filled past its limit before any record: " + size);
            for (int i = 0; i < 20; i++) {
                CommitRecord d = decision();
                j.logCommit(d);
                j.logCompleted(d.gtrid());
            }
            assertEquals(size, Files.size(first), "appending overwrote zeros instead of growing the file");
            assertEquals(j.writtenBytes(), FileJournal.inspect(log()).segments().get(0).bytes(), "inspect counts record bytes, not zeros");
            for (int i = 0; i < 2000; i++) { // past the limit: roll-overs into the file filled in the background
                CommitRecord d = decision();
                j.logCommit(d);
                j.logCompleted(d.gtrid());
            }
            List<Path> segments = j.segmentFiles();
            assertTrue(JournalReplay.number(segments.get(segments.size() - 1)) > 1, "rolled over: " + segments);
            assertEquals(size, Files.size(segments.get(segments.size() - 1)), "the new segment was preallocated too");
        }
        try (Stream<Path> files = Files.list(log())) {
            assertEquals(List.of("pledge.lock"), files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".log")).toList(),
                    "close removes the file being filled for the next segment");
        }
    }

    @Test
    void aTornRecordFollowedByPreallocatedZerosIsATornTailAndALeftoverFillIsIgnored() throws Exception {
        CommitRecord first = decision();
        CommitRecord second = decision();
        LoggedOffsets at = LoggedOffsets.write(log(), first, second);
        long afterFirst = at.afterFirst();
        long afterSecond = at.afterSecond();
        Path segment = onlySegment(log());
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek((afterFirst + afterSecond) / 2);
            f.write(new byte[(int) (afterSecond - (afterFirst + afterSecond) / 2)]); // the second half never reached the disk
        }
        Files.write(log().resolve(FileJournal.NEXT_SEGMENT), new byte[] {1, 2, 3}); // a fill a crash interrupted
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(List.of(first), List.copyOf(j.pendingCommits()));
        }
    }

    @Test
    void anInterruptedCommitterStillLogsItsDecisionKeepsItsInterruptAndLeavesTheLogUsable() throws Exception {
        CommitRecord first = decision();
        CommitRecord second = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            Thread.currentThread().interrupt(); // e.g. Future.cancel(true) on the thread that commits
            try {
                j.logCommit(first);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is the caller's to handle");
            } finally {
                Thread.interrupted();
            }
            j.logCommit(second);
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(Set.of(first.gtrid(), second.gtrid()),
                    Set.copyOf(j.pendingCommits().stream().map(CommitRecord::gtrid).toList()));
        }
    }

    @Test
    void interruptsLandingInTheMiddleOfWritesAndForcesLoseNoDecision() throws Exception {
        List<CommitRecord> logged = new ArrayList<>();
        try (FileJournal j = FileJournal.open(log(), true)) {
            Thread committer = Thread.currentThread();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread interrupter = new Thread(() -> {
                while (!done.get()) {
                    committer.interrupt();
                    LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current().nextLong(200_000, 2_000_000));
                }
            });
            interrupter.start();
            try {
                for (int i = 0; i < 500; i++) {
                    CommitRecord d = decision();
                    j.logCommit(d); // an interrupt closes the channel the journal is writing or forcing
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
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(Set.copyOf(logged.stream().map(CommitRecord::gtrid).toList()),
                    Set.copyOf(j.pendingCommits().stream().map(CommitRecord::gtrid).toList()));
        }
    }

    @Test
    void committersThatWaitForOthersForcesWhileInterruptedKeepTheirInterruptAndTheirDecisions() throws Exception {
        Set<Gtrid> logged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger lostInterrupts = new java.util.concurrent.atomic.AtomicInteger();
        try (FileJournal j = FileJournal.open(log(), true)) {
            onThreads(8, () -> {
                for (int i = 0; i < 200; i++) {
                    CommitRecord d = decision();
                    Thread.currentThread().interrupt(); // every committer, leader or waiter, carries an interrupt
                    j.logCommit(d);
                    if (!Thread.interrupted()) {
                        lostInterrupts.incrementAndGet();
                    }
                    logged.add(d.gtrid());
                }
            });
            assertTrue(j.forceCount() < 8 * 200, "committers waited on each other's forces: " + j.forceCount() + " forces");
        }
        assertEquals(0, lostInterrupts.get(), "an interrupt went missing");
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(logged, Set.copyOf(j.pendingCommits().stream().map(CommitRecord::gtrid).toList()));
        }
    }
}
