package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18, "also check": the in-process backend's fencing tokens across restarts and clock steps. */
class InProcessFencingTokenTest {
    @TempDir
    Path dir;

    private static long grantAndRelease(InProcessLockBackend backend, String key, int n) throws Exception {
        byte[] gtrid = ("tokens:" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Owner owner = Owner.of(gtrid, n);
        long token = backend.acquire(owner, key, LockMode.EXCLUSIVE, 0).fencingToken();
        backend.release(new Xids.SimpleXid(1, gtrid, new byte[] {1}));
        return token;
    }

    @Test
    void tokensOfADurableBackendNeverGoBackwardsAfterARestartWithTheClockSteppedBack() throws Exception {
        AtomicLong clock = new AtomicLong(5_000_000_000_000L);
        long before = 0;
        InProcessLockBackend first = new InProcessLockBackend(new PreparedStore(dir), clock::get);
        for (int i = 0; i < 3; i++) {
            long t = grantAndRelease(first, "lk-token", i);
            assertTrue(t > before);
            before = t;
        }
        first.close(); // the process ends (nothing prepared: the key was free)

        clock.set(1_000_000_000_000L); // NTP stepped the clock back by more than a month
        InProcessLockBackend second = new InProcessLockBackend(new PreparedStore(dir), clock::get);
        long after = grantAndRelease(second, "lk-token", 10);
        assertTrue(after > before, "fencing token went backwards across a restart: " + after + " after " + before);
    }

    @Test
    void tokensKeepGrowingPastTheReservedBlockAndAcrossTheNextRestart() throws Exception {
        AtomicLong clock = new AtomicLong(1_000L);
        InProcessLockBackend first = new InProcessLockBackend(new PreparedStore(dir), () -> clock.get());
        long last = 0;
        for (int i = 0; i < InProcessLockBackend.TOKEN_BLOCK + 10; i++) {
            long t = grantAndRelease(first, "lk-many", i);
            assertTrue(t > last);
            last = t;
        }
        InProcessLockBackend second = new InProcessLockBackend(new PreparedStore(dir), () -> clock.get());
        assertTrue(grantAndRelease(second, "lk-many", -1) > last);
    }
}
