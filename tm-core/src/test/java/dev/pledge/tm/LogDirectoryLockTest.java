package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.JournalException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log directory belongs to one service at a time, in this process and in others. */
class LogDirectoryLockTest {
    @TempDir
    Path tmp;

    private Path log() {
        return tmp.resolve("log");
    }

    @Test
    void aSecondServiceOnTheSameDirectoryFailsAtOnceInThisProcessAndInAnother() throws Exception {
        try (TransactionService first = TransactionService.builder().nodeName("core-lock-a").logDirectory(log())
                .recoveryInterval(Duration.ZERO).build()) {
            JournalException same = assertThrows(JournalException.class, () -> TransactionService.builder().nodeName("core-lock-b")
                    .logDirectory(log()).recoveryInterval(Duration.ZERO).build());
            assertTrue(same.getMessage().contains("in use by another Pledge transaction service"), same.getMessage());
            long t0 = System.nanoTime();
            ChildJvm.Result other = ChildJvm.run(tmp.resolve("second.out"), 60, SecondServiceChild.class, log().toString());
            assertEquals(SecondServiceChild.REFUSED, other.exitCode(), other.output());
            assertTrue(other.output().contains("is in use by another Pledge transaction service") && other.output().contains(
                    log().toAbsolutePath().toString()), other.output());
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "fails at once, it does not wait for the lock");
            assertEquals("core-lock-a", first.nodeName());
        }
    }

    @Test
    void theSegmentSizeIsAnOptionWithASmallMinimumAndTheLogTakesAboutTwiceIt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TransactionService.builder().logSegmentSize(1000));
        try (TransactionService svc = TransactionService.builder().nodeName("core-small-log").logDirectory(log()).logSegmentSize(1 << 20)
                .recoveryInterval(Duration.ZERO).build()) {
            long bytes;
            try (var files = java.nio.file.Files.list(log())) {
                bytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
            assertTrue(bytes < 4L << 20, "a 1 MiB segment, its preallocated successor and small files: " + bytes + " bytes");
            assertEquals("core-small-log", svc.nodeName());
        }
    }
}
