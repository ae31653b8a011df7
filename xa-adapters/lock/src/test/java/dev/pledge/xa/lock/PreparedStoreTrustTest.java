package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process lock service's durable directory gets the recovery log's treatment: owner-only, and refused when others can write it. */
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
}
