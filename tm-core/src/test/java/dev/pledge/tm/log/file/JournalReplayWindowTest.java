package dev.pledge.tm.log.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay reads a segment through a window of bounded size: a segment many windows long replays as it
 * does when read whole (records, torn tails and damage alike), and replay's memory follows the window,
 * not the segment.
 */
class JournalReplayWindowTest {
    /** Larger than any segment here: the segment is read in one piece, as before windows. */
    private static final int WHOLE = Integer.MAX_VALUE - 64;
    private static final int SMALL = SegmentWindow.MIN_CAPACITY;

    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("journal-replay-window");

    /** Logs {@code count} decisions, completing every third; returns those left in doubt. */
    private List<Gtrid> logDecisions(Path dir, int count) throws Exception {
        List<Gtrid> inDoubt = new ArrayList<>();
        try (FileJournal j = FileJournal.open(dir, false)) {
            for (int i = 0; i < count; i++) {
                Gtrid g = xids.next();
                j.logCommit(new CommitRecord(g, List.of(new BranchRecord(TestGtrids.bqual(1), "orders-db"),
                        new BranchRecord(TestGtrids.bqual(2), "payments-db-with-a-longer-resource-name")), System.currentTimeMillis()));
                if (i % 3 == 0) {
                    j.logCompleted(g);
                } else {
                    inDoubt.add(g);
                }
            }
        }
        return inDoubt;
    }

    @Test
    void aSegmentManyWindowsLongReplaysEveryDecisionThroughTheSmallestWindow() throws Exception {
        Path dir = tmp.resolve("log");
        List<Gtrid> inDoubt = logDecisions(dir, 4000);
        Path segment = FileJournalTest.onlySegment(dir);

        JournalReplay small = JournalReplay.replay(dir, SMALL);
        JournalReplay whole = JournalReplay.replay(dir, WHOLE);

        int recordsEnd = small.recordBytes.get(segment);
        assertTrue(recordsEnd > 4 * SMALL, "the records span several windows: " + recordsEnd + " bytes");
        assertTrue(Files.size(segment) > 2L * recordsEnd, "the preallocated zero tail spans windows too: " + Files.size(segment));
        assertEquals(Set.copyOf(inDoubt), small.pending.keySet());
        assertEquals(List.copyOf(whole.pending.keySet()), List.copyOf(small.pending.keySet()));
        assertEquals(whole.recordBytes, small.recordBytes);
        assertEquals(whole.records, small.records);
    }

    @Test
    void mutatedSegmentsReplayThroughASmallWindowExactlyAsWhenReadWhole() throws Exception {
        Path dir = tmp.resolve("log");
        logDecisions(dir, 2500);
        Path segment = FileJournalTest.onlySegment(dir);
        int recordsEnd = JournalReplay.replay(dir, WHOLE).recordBytes.get(segment);
        byte[] original = new byte[recordsEnd + 4096]; // the records and some of the zero tail
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r")) {
            f.readFully(original);
        }
        Random random = new Random(21);
        int damaged = 0;
        int torn = 0;
        for (int round = 0; round < 150; round++) {
            byte[] mutant = original.clone();
            int at = JournalReplay.SEGMENT_HEADER + random.nextInt(recordsEnd - JournalReplay.SEGMENT_HEADER);
            switch (round % 4) {
                case 0 -> mutant[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> mutant = java.util.Arrays.copyOf(mutant, at);
                case 2 -> ByteBuffer.wrap(mutant).putInt(at, round % 8 == 2 ? Integer.MAX_VALUE : -1 - random.nextInt(1000));
                default -> java.util.Arrays.fill(mutant, at, Math.min(recordsEnd, at + 512 + random.nextInt(4096)), (byte) 0);
            }
            Path mutantDir = Files.createDirectories(tmp.resolve("mutant-" + round));
            Files.write(mutantDir.resolve(segment.getFileName()), mutant);
            String whole = outcome(mutantDir, WHOLE);
            String small = outcome(mutantDir, SMALL);
            assertEquals(whole, small, "round " + round + " at offset " + at);
            if (whole.startsWith("refused")) {
                damaged++;
                assertTrue(whole.contains(mutantDir.resolve(segment.getFileName()).toAbsolutePath().toString()) && whole.contains("at offset "),
                        "the error names the file and the offset: " + whole);
            } else if (!whole.contains("records=" + recordsEnd + ",")) {
                torn++;
            }
            deleteTree(mutantDir);
        }
        assertTrue(damaged > 0 && torn > 0, "the mutants found both damage (" + damaged + ") and torn ends (" + torn + ")");
    }

    @Test
    void replayingAQuarterGigabyteSegmentAllocatesAboutItsWindowNotTheSegment() throws Exception {
        Path dir = tmp.resolve("log");
        List<Gtrid> inDoubt = logDecisions(dir, 30);
        Path segment = FileJournalTest.onlySegment(dir);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(256L << 20); // a zero tail as a preallocated segment has, sparse on disk
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        JournalReplay.replay(dir); // loads the classes, so that only the replay itself is measured below
        long before = threads.getCurrentThreadAllocatedBytes();
        JournalReplay replay = JournalReplay.replay(dir);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(Set.copyOf(inDoubt), replay.pending.keySet());
        assertTrue(allocated < 4L * JournalReplay.DEFAULT_WINDOW_BYTES, "replay of a " + Files.size(segment) + "-byte segment allocated "
                + allocated + " bytes; its window is " + JournalReplay.DEFAULT_WINDOW_BYTES);
    }

    @Test
    void aWindowSmallerThanTheLargestRecordIsRefused() throws Exception {
        Path dir = tmp.resolve("log");
        logDecisions(dir, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalReplay.replay(dir, SMALL - 1));
        assertTrue(e.getMessage().contains(String.valueOf(SMALL)), e.getMessage());
    }

    /** What replaying {@code dir} through a window of {@code window} bytes gives, as text to compare. */
    private static String outcome(Path dir, int window) throws Exception {
        try {
            JournalReplay r = JournalReplay.replay(dir, window);
            return "replayed pending=" + r.pending.keySet() + " heuristics=" + r.heuristics.keySet() + " records="
                    + r.recordBytes.values().iterator().next() + ", count=" + r.records;
        } catch (JournalException e) {
            return "refused: " + e.getMessage();
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
