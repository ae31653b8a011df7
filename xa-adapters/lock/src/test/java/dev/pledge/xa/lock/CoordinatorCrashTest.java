package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A coordinator halted while holding prepared locks; a new process with the same node name and
 * log finds them held, and recovery releases them: by rollback when no decision was logged, by
 * commit when one was. A coordinator halted after the lock branch committed, before another
 * branch did, leaves the keys held until recovery has committed every branch.
 */
class CoordinatorCrashTest {
    static TestingServer zk;
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();
    final String root = "/crash/" + UUID.randomUUID();
    Path log;
    Path state;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zk.close();
    }

    @BeforeEach
    void paths() {
        log = dir.resolve("log");
        state = dir.resolve("locks");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @ParameterizedTest(name = "{0} backend, halted at {1}")
    @CsvSource({"inproc, prepare", "inproc, commit", "zk, prepare", "zk, commit"})
    void preparedLocksAreHeldAfterACrashUntilRecoveryFinishesTheBranch(String backend, String haltAt) throws Exception {
        TransactionService svc = crashChildAndRestart(backend, haltAt);
        TransactionManager tm = svc.transactionManager();
        LockService locks = newLocks(backend, tm);

        assertEquals(1, locks.recoveryResource().recover(XAResource.TMSTARTRSCAN).length, "one prepared lock branch");
        tm.begin();
        LockTimeoutException held = assertThrows(LockTimeoutException.class, () -> locks.tryLock("acct-1", Duration.ofMillis(300)));
        assertTrue(held.holders().contains("crash-node:"), held.holders());
        assertThrows(LockTimeoutException.class, () -> locks.tryLock("acct-2", LockMode.EXCLUSIVE, Duration.ofMillis(300)));
        locks.lock("acct-2", LockMode.SHARED); // a prepared shared lock still admits readers
        tm.rollback();

        svc.recovery().register(locks.name(), locks::recoveryResource);
        RecoveryReport report = svc.recovery().runPass();
        if (haltAt.equals("commit")) {
            assertEquals(1, report.committed(), report.toString());
            assertEquals(0, report.rolledBack(), report.toString());
        } else {
            assertEquals(0, report.committed(), report.toString());
            assertEquals(1, report.rolledBack(), report.toString());
        }
        assertEquals(0, locks.recoveryResource().recover(XAResource.TMSTARTRSCAN).length, "nothing prepared is left");
        tm.begin();
        locks.tryLock("acct-1", Duration.ofMillis(500));
        locks.tryLock("acct-2", Duration.ofMillis(500));
        tm.commit();
    }

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"inproc", "zk"})
    void aCrashAfterTheLockBranchCommittedKeepsTheKeysUntilRecoveryHasCommittedEveryBranch(String backend) throws Exception {
        TransactionService svc = crashChildAndRestart(backend, "locks-committed");
        TransactionManager tm = svc.transactionManager();
        LockService locks = newLocks(backend, tm);
        assertEquals(1, locks.recoveryResource().recover(XAResource.TMSTARTRSCAN).length,
                "the lock branch committed but 'second' did not: its keys stay in the durable prepared record");
        tm.begin();
        // ZooKeeper: long after the dead coordinator's session expired (4 s), the persistent nodes still hold the key
        LockTimeoutException held = assertThrows(LockTimeoutException.class, () -> locks.tryLock("acct-1",
                Duration.ofMillis(backend.equals("zk") ? 6_000 : 300)));
        assertTrue(held.holders().contains("crash-node:"), held.holders());
        tm.rollback();

        svc.recovery().register(locks.name(), locks::recoveryResource);
        RecoveryReport report = svc.recovery().runPass();
        assertEquals(0, report.rolledBack(), report.toString());
        assertEquals(0, locks.recoveryResource().recover(XAResource.TMSTARTRSCAN).length, "recovery completed the transaction");
        tm.begin();
        locks.tryLock("acct-1", Duration.ofMillis(500));
        locks.tryLock("acct-2", Duration.ofMillis(500));
        tm.commit();
    }

    /** Runs {@link LockCrashChild} halting at {@code haltAt}, then starts the new process on the same node name and log. */
    private TransactionService crashChildAndRestart(String backend, String haltAt) throws Exception {
        List<String> args = new ArrayList<>(List.of("crash-node", log.toString(), haltAt, backend));
        if (backend.equals("zk")) {
            args.addAll(List.of(zk.getConnectString(), root));
        } else {
            args.add(state.toString());
        }
        ChildJvm.Result r = ChildJvm.run(dir.resolve("child.out"), 90, LockCrashChild.class, args.toArray(new String[0]));
        assertEquals(42, r.exitCode(), r.output());
        // recovery does not know the lock resource yet
        TransactionService svc = TransactionService.builder().nodeName("crash-node").logDirectory(log).recoveryInterval(Duration.ZERO)
                .recoveryResource("first", () -> new RecordingResource("first"))
                .recoveryResource("second", () -> new RecordingResource("second")).build();
        open.add(svc);
        return svc;
    }

    private LockService newLocks(String backend, TransactionManager tm) throws Exception {
        LockService locks;
        if (backend.equals("zk")) {
            CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new ExponentialBackoffRetry(50, 5));
            c.start();
            assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
            open.add(c);
            locks = LockService.builder(tm).zooKeeper(c, root).build();
        } else {
            locks = LockService.builder(tm).durableDirectory(state).build();
        }
        open.add(locks);
        return locks;
    }
}
