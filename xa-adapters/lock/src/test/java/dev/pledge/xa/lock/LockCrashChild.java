package dev.pledge.xa.lock;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A coordinator that dies holding prepared locks. Branch order: "first", the locks, "second".
 * {@code prepare}: "second" halts the JVM in its prepare, after the locks prepared and before
 * any decision. {@code commit}: "first" halts in its commit, after the decision was logged and
 * before the locks committed. {@code locks-committed}: "second" halts in its commit, after the
 * lock branch committed and before the transaction completed (afterCompletion releases the locks).
 * Args: node logDir haltAt inproc stateDir | node logDir haltAt zk connectString root.
 */
public final class LockCrashChild {
    private LockCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean afterLocks = args[2].equals("locks-committed");
        RecordingResource.HaltAt haltAt = afterLocks ? RecordingResource.HaltAt.NEVER
                : RecordingResource.HaltAt.valueOf(args[2].toUpperCase(java.util.Locale.ROOT));
        TransactionService svc = TransactionService.builder().nodeName(args[0]).logDirectory(Path.of(args[1]))
                .recoveryInterval(Duration.ZERO).build();
        TransactionManager tm = svc.transactionManager();
        LockService locks;
        if (args[3].equals("zk")) {
            CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(args[4]).sessionTimeoutMs(4_000)
                    .retryPolicy(new ExponentialBackoffRetry(50, 5)).build();
            zk.start();
            zk.blockUntilConnected();
            locks = LockService.builder(tm).zooKeeper(zk, args[5]).build();
        } else {
            locks = LockService.builder(tm).durableDirectory(Path.of(args[4])).build();
        }
        tm.begin();
        tm.getTransaction().enlistResource(new RecordingResource("first",
                haltAt == RecordingResource.HaltAt.COMMIT ? haltAt : RecordingResource.HaltAt.NEVER));
        locks.lock("acct-1");
        locks.lock("acct-2", LockMode.SHARED);
        tm.getTransaction().enlistResource(new RecordingResource("second",
                afterLocks ? RecordingResource.HaltAt.COMMIT
                        : haltAt == RecordingResource.HaltAt.PREPARE ? haltAt : RecordingResource.HaltAt.NEVER));
        System.out.println("LOCKED, committing");
        tm.commit();
        System.out.println("COMMITTED (should have halted)");
        System.exit(3);
    }
}
