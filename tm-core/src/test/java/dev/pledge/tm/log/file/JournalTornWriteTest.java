package dev.pledge.tm.log.file;

import dev.pledge.tm.log.JournalException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power loss during the force of one group write (many committers' records, none acknowledged)
 * can leave a later 512-byte sector of it on disk while an earlier one still holds what was there
 * before: that is a torn tail, not damage. The same loss of a sector in a write that a later write
 * says was forced is damage, and replay refuses to start. The group here is a real one: committers
 * pile up behind a force held back through {@link FaultyChannels}, and the next leader writes all
 * their records at once.
 */
class JournalTornWriteTest {
    private static final int SECTOR = 512;
    private static final int COMMITTERS = 30;

    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("journal-torn-write");

    private CommitRecord decision() {
        return new CommitRecord(xids.next(), List.of(new BranchRecord(TestGtrids.bqual(1), "db-a"),
                new BranchRecord(TestGtrids.bqual(2), "db-b")), System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    /** What the log held: acknowledged decisions, the group written in one write, and where that write lies. */
    private record Logged(List<CommitRecord> acknowledged, List<CommitRecord> group, long groupStart, long groupEnd, Path segment) {
    }

    /**
     * Logs one decision, then holds the next one's force while {@link #COMMITTERS} more append, so that
     * the leader after it writes their records in one write; then, if {@code after}, one more decision
     * (whose write says the group was forced).
     */
    private Logged logGroup(boolean after) throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        faulty.where = p -> p.getFileName().toString().startsWith("pledge-") && !p.getFileName().toString().equals("pledge.lock");
        List<CommitRecord> acknowledged = new ArrayList<>();
        List<CommitRecord> group = new ArrayList<>();
        try (FileJournal j = FileJournal.open(log(), true, FileJournal.DEFAULT_SEGMENT_BYTES, faulty)) {
            CommitRecord first = decision();
            j.logCommit(first);
            acknowledged.add(first);
            CountDownLatch gate = new CountDownLatch(1);
            faulty.forceGate = gate;
            CommitRecord held = decision();
            Thread leader = new Thread(() -> commit(j, held));
            leader.start();
            assertTrue(faulty.forceHeld.await(30, TimeUnit.SECONDS), "the force was never reached");
            faulty.forceGate = null;
            acknowledged.add(held);
            List<Thread> committers = new ArrayList<>();
            for (int i = 0; i < COMMITTERS; i++) {
                CommitRecord d = decision();
                group.add(d);
                Thread t = new Thread(() -> commit(j, d));
                committers.add(t);
                t.start();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // a decision is pending once its record is in the buffer (both happen under the append lock); the committers
            // then park (timed) waiting for the held force
            while ((j.pendingCommits().size() < 2 + COMMITTERS || committers.stream().anyMatch(t -> t.getState() != Thread.State.TIMED_WAITING
                    && t.getState() != Thread.State.WAITING))
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            gate.countDown();
            leader.join();
            for (Thread t : committers) {
                t.join();
            }
            if (after) {
                CommitRecord last = decision();
                j.logCommit(last);
                acknowledged.add(last);
            }
        }
        long[] largest = faulty.writes.stream().max((x, y) -> Long.compare(x[1], y[1])).orElseThrow();
        assertTrue(largest[1] > 3 * SECTOR, "the committers' records went out in one write of " + largest[1] + " bytes");
        Path segment = JournalReplay.segments(log()).get(0);
        return new Logged(acknowledged, group, largest[0], largest[0] + largest[1], segment);
    }

    private static void commit(FileJournal j, CommitRecord d) {
        try {
            j.logCommit(d);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A sector the disk never got from the group write: it holds what it held before, zeros from the write's start on. */
    private static void loseSector(byte[] data, long sectorStart, long groupStart) {
        for (long i = Math.max(sectorStart, groupStart); i < sectorStart + SECTOR; i++) {
            data[(int) i] = 0;
        }
    }

    /** The group's commit records that end at or before {@code offset}, and those that do not. */
    private static List<List<CommitRecord>> splitAt(byte[] data, Logged l, long offset) {
        List<CommitRecord> before = new ArrayList<>();
        List<CommitRecord> from = new ArrayList<>();
        byte[] original = data.clone();
        int o = (int) l.groupStart();
        while (o < l.groupEnd()) {
            RecordCodec.Valid v = (RecordCodec.Valid) RecordCodec.read(original, o, original.length);
            if (v.type() == RecordCodec.COMMIT) {
                (o + v.size() <= offset ? before : from).add((CommitRecord) v.record());
            }
            o += v.size();
        }
        return List.of(before, from);
    }

    @Test
    void aLostSectorInsideTheLastGroupWriteIsATornTailAndTheRecordsAfterItAreIgnored() throws Exception {
        Logged l = logGroup(false);
        byte[] data = Files.readAllBytes(l.segment());
        long sector = (l.groupStart() / SECTOR + 1) * SECTOR; // the first sector wholly inside the write, later ones on disk
        assertTrue(sector + SECTOR < l.groupEnd(), "a sector of the write follows the lost one");
        List<List<CommitRecord>> split = splitAt(data, l, sector);
        loseSector(data, sector, l.groupStart());
        Files.write(l.segment(), data);
        try (FileJournal j = FileJournal.open(log(), true)) {
            for (CommitRecord d : l.acknowledged()) {
                assertNotNull(j.pendingCommit(d.gtrid()), "an acknowledged decision is kept");
            }
            for (CommitRecord d : split.get(1)) {
                assertNull(j.pendingCommit(d.gtrid()), "a record at or after the gap was never acknowledged and is ignored");
            }
            for (CommitRecord d : split.get(0)) {
                assertNotNull(j.pendingCommit(d.gtrid()), "a whole record before the gap is read");
            }
            assertTrue(split.get(1).size() > 3, "records after the gap were valid on disk: " + split.get(1).size());
        }
    }

    @Test
    void aLostFirstSectorOfTheLastGroupWriteTakesItsMarkAndIsStillATornTail() throws Exception {
        Logged l = logGroup(false);
        byte[] data = Files.readAllBytes(l.segment());
        long sector = l.groupStart() / SECTOR * SECTOR; // holds the end of the previous write and the group's mark
        List<CommitRecord> after = splitAt(data, l, sector + SECTOR).get(1);
        loseSector(data, sector, l.groupStart());
        Files.write(l.segment(), data);
        try (FileJournal j = FileJournal.open(log(), true)) {
            for (CommitRecord d : l.acknowledged()) {
                assertNotNull(j.pendingCommit(d.gtrid()), "an acknowledged decision is kept");
            }
            for (CommitRecord d : l.group()) {
                assertNull(j.pendingCommit(d.gtrid()), "never acknowledged, and after the gap: ignored");
            }
            assertTrue(after.size() > 3, "records after the gap were valid on disk: " + after.size());
        }
    }

    @Test
    void aLostSectorInAWriteThatALaterWriteSaysWasForcedIsDamageNamedByFileAndOffset() throws Exception {
        Logged l = logGroup(true);
        byte[] data = Files.readAllBytes(l.segment());
        long sector = (l.groupStart() / SECTOR + 1) * SECTOR;
        int firstBad = (int) l.groupStart();
        while (true) { // the record the lost sector begins in
            RecordCodec.Valid v = (RecordCodec.Valid) RecordCodec.read(data, firstBad, data.length);
            if (firstBad + v.size() > sector) {
                break;
            }
            firstBad += v.size();
        }
        loseSector(data, sector, l.groupStart());
        Files.write(l.segment(), data);
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains(l.segment().getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt at offset " + firstBad + " "), e.getMessage());
        assertTrue(e.getMessage().contains("forced and acknowledged"), e.getMessage());
    }

    @Test
    void aFormatOneSegmentIsStillReadAndDamageInItStillStopsTheStart() throws Exception {
        CommitRecord a = decision();
        CommitRecord b = decision();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        buf.put(JournalReplay.MAGIC_V1).putLong(1);
        CRC32C crc = new CRC32C();
        RecordCodec.encodeCommit(buf, a, crc);
        int second = buf.position();
        RecordCodec.encodeCommit(buf, b, crc);
        Files.createDirectories(log());
        Path v1 = log().resolve(JournalReplay.segmentName(1));
        Files.write(v1, java.util.Arrays.copyOf(buf.array(), buf.capacity())); // zero-filled rest, as preallocated
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(java.util.Set.of(a.gtrid(), b.gtrid()), java.util.Set.copyOf(j.pendingCommits().stream().map(CommitRecord::gtrid).toList()));
        }
        for (Path p : JournalReplay.segments(log())) {
            Files.delete(p);
        }
        byte[] damaged = java.util.Arrays.copyOf(buf.array(), buf.capacity());
        damaged[JournalReplay.SEGMENT_HEADER + RecordCodec.FRAME_HEADER + 3] ^= 0x40;
        Files.write(v1, damaged);
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains(v1.getFileName().toString()) && e.getMessage().contains("corrupt at offset "
                + JournalReplay.SEGMENT_HEADER + " ") && e.getMessage().contains("valid record at offset " + second), e.getMessage());
    }
}
