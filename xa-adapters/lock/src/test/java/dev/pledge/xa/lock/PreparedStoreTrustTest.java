package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process lock service's durable directory gets the recovery log's treatment: owner-only, refused when others can
 * write it, and its files never read through a link or from anything but a regular file.
 */
class PreparedStoreTrustTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDirectoryIsOwnerOnlyAndOneOthersCanWriteIsRefused() throws Exception {
        Path fresh = tmp.resolve("locks");
        new PreparedStore(fresh);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));

        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PreparedStore(open));
        assertTrue(e.getMessage().contains("chmod go-w " + open), e.getMessage());
    }
    @Test
    void aLinkNamedLikeAPreparedRecordIsRefusedNotFollowed() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere");
        PreparedStore other = new PreparedStore(elsewhere);
        other.write(new TestIds("planted").next().xid(), List.of(new PreparedStore.Grant("account-1", LockMode.EXCLUSIVE, 7)));
        Path target;
        try (var files = Files.list(elsewhere)) {
            target = files.filter(f -> f.toString().endsWith(".prepared")).findFirst().orElseThrow();
        }
        Path dir = tmp.resolve("locks");
        PreparedStore store = new PreparedStore(dir);
        Path link = Files.createSymbolicLink(dir.resolve(target.getFileName()), target);
        IOException e = assertThrows(IOException.class, store::loadAll, "a record read through a link would grant its locks");
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
    }

    @Test
    void aFifoNamedLikeAPreparedRecordIsRefusedAtOnceInsteadOfHangingTheStart() throws Exception {
        Path dir = tmp.resolve("locks");
        PreparedStore store = new PreparedStore(dir);
        Path fifo = dir.resolve("planted.prepared");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo is needed for this test");
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IOException.class, store::loadAll));
        assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
