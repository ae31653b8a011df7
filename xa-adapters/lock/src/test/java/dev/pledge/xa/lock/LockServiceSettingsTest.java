package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock service's builder as LockService's Javadoc and docs/locks.md state it: defaults and refusals. */
class LockServiceSettingsTest {
    @TempDir
    Path dir;
    TransactionService svc;
    TransactionManager tm;

    @BeforeEach
    void start() {
        svc = TransactionService.builder().nodeName("lock-settings").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
        tm = svc.transactionManager();
    }

    @AfterEach
    void stop() {
        svc.close();
    }

    @Test
    void aServiceBuiltWithNoSettingsIsNamedLocksAndHasNoReleasePending() {
        try (LockService built = LockService.builder(tm).build(); LockService shortcut = LockService.inProcess(tm)) {
            assertEquals("locks", built.name());
            assertEquals("locks", shortcut.name());
            assertEquals(new LockMetrics(0, 0, 0), built.metrics());
        }
    }

    @Test
    void lockWaitsTheDefaultTimeoutAndThenThrowsLockTimeoutException() throws Exception {
        try (LockService locks = LockService.builder(tm).name("short-waits").defaultTimeout(Duration.ofMillis(300)).build()) {
            tm.begin();
            locks.lock("invoice-1");
            Transaction holder = tm.suspend();
            tm.begin();
            long t0 = System.nanoTime();
            LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> locks.lock("invoice-1", LockMode.SHARED));
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waitedMillis >= 300 && waitedMillis < 5_000, "waited " + waitedMillis + " ms with a default timeout of 300 ms");
            assertEquals(LockMode.SHARED, e.mode());
            tm.rollback();
            tm.resume(holder);
            tm.commit();
        }
    }

    @Test
    void aNegativeDefaultTimeoutIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LockService.builder(tm).defaultTimeout(Duration.ofSeconds(-1)));
        assertEquals("defaultTimeout must not be negative: PT-1S", e.getMessage());
    }

    @Test
    void aDurableDirectoryWithTheZooKeeperBackendIsRefused() {
        try (CuratorFramework never = CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(1))) { // not started: not used
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LockService.builder(tm).zooKeeper(never, "/pledge/locks").durableDirectory(dir.resolve("locks")).build());
            assertEquals("durableDirectory is for the in-process backend; ZooKeeper keeps prepared locks itself", e.getMessage());
        }
    }

    @Test
    void inProcessAfterZooKeeperChoosesTheInProcessBackend() {
        try (CuratorFramework never = CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(1));
                LockService locks = LockService.builder(tm).zooKeeper(never, "/pledge/locks").inProcess().build()) {
            assertTrue(locks.backend() instanceof InProcessLockBackend, locks.backend().toString());
        }
    }
}
