package dev.pledge.tm.log.file;

import dev.pledge.tm.log.JournalException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's crash windows outside a plain append: a crash while a new segment and its
 * checkpoint are being written (at start-up or at a roll-over) and before the older segments are
 * deleted, and a force that fails.
 */
class JournalCrashWindowTest {
    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("core-journal");

    private CommitRecord decision() {
        return new CommitRecord(xids.next(), List.of(new BranchRecord(TestGtrids.bqual(1), "db-a"),
                new BranchRecord(TestGtrids.bqual(2), "db-b")), System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    private Path segment(long n) {
        return log().resolve(JournalReplay.segmentName(n));
    }

    /** Writes two decisions and cuts the second in half, as a crash in the middle of its write would leave segment 1. */
    private CommitRecord[] tornLog() throws IOException {
        CommitRecord first = decision();
        CommitRecord second = decision();
        LoggedOffsets at = LoggedOffsets.write(log(), first, second);
        byte[] all = Files.readAllBytes(segment(1));
        Files.write(segment(1), Arrays.copyOf(all, (int) (at.afterFirst() + (at.afterSecond() - at.afterFirst()) / 2)));
        return new CommitRecord[] {first, second};
    }

    /**
     * Start-up replays segment 1 (torn tail ignored), writes segment 2 with a checkpoint, and would
     * then delete segment 1: a crash just before that deletion leaves both. The next start must work.
     */
    @Test
    void aCrashAfterTheStartupCheckpointBeforeOldSegmentsAreDeletedDoesNotStopTheNextStart() throws Exception {
        CommitRecord[] d = tornLog();
        byte[] torn = Files.readAllBytes(segment(1));
        FileJournal.open(log(), true).close(); // writes segment 2, deletes segment 1
        Files.write(segment(1), torn); // ... as if the crash came before the deletion
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertNotNull(j.pendingCommit(d[0].gtrid()));
            assertNull(j.pendingCommit(d[1].gtrid()), "the torn decision never returned");
            assertEquals(1, j.segmentFiles().size(), "older segments are gone once a new checkpoint is down");
        }
    }

    /** A crash right after a new segment file was created, twice in a row (two failed start-ups), leaves empty segments behind. */
    @Test
    void segmentsWhoseHeaderWasNeverWrittenAreIgnoredWhereverTheyAre() throws Exception {
        CommitRecord[] d = tornLog();
        byte[] torn = Files.readAllBytes(segment(1));
        Files.write(segment(2), new byte[0]);
        FileJournal.open(log(), true).close(); // ignores 2, writes 3
        Files.write(segment(1), torn);
        Files.write(segment(2), "PLDG".getBytes(StandardCharsets.US_ASCII)); // a header cut short
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(List.of(d[0]), List.copyOf(j.pendingCommits()));
        }
    }

    @Test
    void aNewestSegmentThatStartsWithForeignBytesIsDamageNotATornHeader() throws Exception {
        FileJournal.open(log(), true).close();
        Files.write(segment(2), "hello".getBytes(StandardCharsets.US_ASCII));
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains(segment(2).getFileName().toString()) && e.getMessage().contains("offset 0"), e.getMessage());
    }

    /** A crash in the middle of writing a checkpoint: the older segments still hold everything. */
    @Test
    void aTornCheckpointLeavesTheOlderSegmentInCharge() throws Exception {
        CommitRecord first = decision();
        CommitRecord second = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(first);
            j.logCommit(second);
        }
        byte[] old = Files.readAllBytes(segment(1));
        FileJournal.open(log(), true).close(); // segment 2: checkpoint of both
        byte[] checkpoint = Files.readAllBytes(segment(2));
        Files.write(segment(2), Arrays.copyOf(checkpoint, checkpoint.length - 5));
        Files.write(segment(1), old);
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertNotNull(j.pendingCommit(first.gtrid()));
            assertNotNull(j.pendingCommit(second.gtrid()));
        }
    }

    /** When the force fails the transaction rolls back, so the journal must not keep the decision for this process's recovery. */
    @Test
    void aDecisionWhoseWriteFailedIsNotLeftPending() throws Exception {
        try (FileJournal j = FileJournal.open(log(), true)) {
            Field f = FileJournal.class.getDeclaredField("segment");
            f.setAccessible(true);
            ((FileChannel) f.get(j)).close(); // the next write fails like a dead disk
            CommitRecord d = decision();
            assertThrows(IOException.class, () -> j.logCommit(d));
            assertNull(j.pendingCommit(d.gtrid()), "recovery would commit a branch the coordinator is rolling back");
            assertTrue(j.pendingCommits().isEmpty());
            IOException later = assertThrows(IOException.class, () -> j.logCommit(decision()));
            assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
        }
    }
}
