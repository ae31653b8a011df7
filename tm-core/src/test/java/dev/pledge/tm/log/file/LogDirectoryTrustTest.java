package dev.pledge.tm.log.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log trusts its directory with every decision, so it checks the directory and reads only what
 * it wrote: a directory others can write is refused, links and special files in it are never
 * followed or read, files are created owner-only, and segment numbers past 16 digits stay in order.
 */
class LogDirectoryTrustTest {
    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("trust-test");

    private CommitRecord decision() {
        return new CommitRecord(xids.next(), List.of(new BranchRecord(TestGtrids.bqual(1), "db-a")), System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    @Test
    void aLogDirectoryOthersCanWriteIsRefusedWithTheFix() throws Exception {
        Files.createDirectories(log());
        Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("rwxrwxrwx"));
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains("is writable by every user") && e.getMessage().contains("chmod go-w " + log().toAbsolutePath()),
                e.getMessage());
        Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("rwxrwx---"));
        JournalException group = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(group.getMessage().contains("is writable by its group"), group.getMessage());
        Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("rwxr-x---"));
        FileJournal.open(log(), true).close();
    }

    @Test
    void aLogDirectoryOfAnotherUserIsRefusedWithTheChownToRun() throws Exception {
        String me = System.getProperty("user.name");
        Path dir;
        if ("root".equals(me)) { // root can give a directory away; any other user finds one of root's
            dir = Files.createDirectories(log());
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } else {
            dir = Path.of("/");
        }
        String owner = Files.getOwner(dir).getName();
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(dir, true));
        assertTrue(e.getMessage().contains("belongs to " + owner + ", not to " + me) && e.getMessage().contains("chown " + me + " " + dir),
                e.getMessage());
    }

    @Test
    void everyFileTheLogCreatesIsOwnerOnlyWhateverTheUmask() throws Exception {
        try (FileJournal j = FileJournal.open(log(), true, 64 * 1024)) {
            j.logCommit(decision());
            for (int i = 0; i < 200; i++) { // roll over a few times, so the preallocated next segments exist too
                j.logCommit(decision());
            }
        }
        try (var files = Files.list(log())) {
            for (Path f : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)), f.toString());
            }
        }
    }

    @Test
    void aLinkPlantedAsTheNextSegmentIsNeverWrittenThrough() throws Exception {
        FileJournal.open(log(), true).close();
        Path victim = tmp.resolve("victim.txt");
        byte[] content = "someone else's file".getBytes(StandardCharsets.UTF_8);
        Files.write(victim, content);
        Files.deleteIfExists(log().resolve(FileJournal.NEXT_SEGMENT));
        Files.createSymbolicLink(log().resolve(FileJournal.NEXT_SEGMENT), victim);
        try {
            FileJournal.open(log(), true).close();
        } catch (JournalException refused) {
            assertTrue(refused.getMessage().contains(log().toString()), refused.getMessage()); // refusing is fine; writing through is not
        }
        assertArrayEquals(content, Files.readAllBytes(victim), "the link's target was not touched");
    }

    @Test
    void aFifoNamedLikeASegmentIsRefusedAtOnceInsteadOfHangingTheStart() throws Exception {
        FileJournal.open(log(), true).close();
        Path fifo = log().resolve(JournalReplay.segmentName(9));
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo is needed for this test");
        JournalException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(JournalException.class, () -> FileJournal.inspect(log())));
        assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aSegmentLargerThanAnyPledgeWritesIsRefusedBeforeItIsRead() throws Exception {
        FileJournal.open(log(), true).close();
        Path huge = log().resolve(JournalReplay.segmentName(9));
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: takes no disk, and would take 3 GiB of heap to read whole
        }
        JournalException e = assertThrows(JournalException.class, () -> FileJournal.open(log(), true));
        assertTrue(e.getMessage().contains(huge.toString()) && e.getMessage().contains("not written by Pledge"), e.getMessage());
    }

    @Test
    void segmentNumbersPastSixteenDigitsStayInOrderAndKeepTheirDecisions() throws Exception {
        CommitRecord inDoubt = decision();
        try (FileJournal j = FileJournal.open(log(), true)) {
            j.logCommit(inDoubt);
        }
        List<Path> segments = JournalReplay.segments(log());
        Path last = segments.get(segments.size() - 1);
        Files.move(last, log().resolve(JournalReplay.segmentName(9_999_999_999_999_999L)));
        for (Path older : segments.subList(0, segments.size() - 1)) {
            Files.delete(older);
        }
        try (FileJournal j = FileJournal.open(log(), true)) { // writes segment 10^16, with 17 digits, and deletes the older one
            assertNotNull(j.pendingCommit(inDoubt.gtrid()));
        }
        List<Path> after = JournalReplay.segments(log());
        assertEquals(List.of(log().resolve("pledge-10000000000000000.log")), after);
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertNotNull(j.pendingCommit(inDoubt.gtrid()), "the decision survived the segment number's new digit");
        }
        assertEquals(10_000_000_000_000_001L, JournalReplay.number(JournalReplay.segments(log()).get(0)));
    }
}
