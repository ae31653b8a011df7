package dev.pledge.xa.lock;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs in a JVM whose class path has no Curator, ZooKeeper or Netty (see {@link InProcessWithoutCuratorTest}):
 * builds the in-process lock service, durable and memory-only, takes, commits and rolls back locks, and
 * exits 0 with "IN-PROCESS OK".
 */
public final class InProcessWithoutCuratorChild {
    private InProcessWithoutCuratorChild() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("org.apache.curator.framework.CuratorFramework");
            System.out.println("Curator IS on the class path: this run proves nothing");
            System.exit(3);
        } catch (ClassNotFoundException expected) {
            // the point of this JVM
        }
        Path dir = Path.of(args[0]);
        try (TransactionService svc = TransactionService.builder().nodeName("no-curator").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            try (LockService durable = LockService.builder(tm).name("durable").durableDirectory(dir.resolve("locks")).build();
                    LockService memory = LockService.inProcess(tm)) {
                tm.begin();
                durable.lock("account-1");
                memory.lock("account-2", LockMode.SHARED);
                tm.commit();
                tm.begin();
                durable.lock("account-1");
                tm.rollback();
                tm.begin();
                if (durable.tryLock("account-1", Duration.ofSeconds(1)) == null) {
                    throw new AssertionError("account-1 was not released");
                }
                tm.commit();
            }
        }
        System.out.println("IN-PROCESS OK");
        System.exit(0);
    }
}
