package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.lock.LockService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;

/**
 * Child JVM: transactions that each take one exclusive lock on a random key of 1,000 and commit
 * (the lock is the only resource: one-phase). Prints {@code RESULT tx=… seconds=…}.
 * <pre>LockThroughput in-process|zookeeper THREADS SECONDS DIR</pre>
 */
public final class LockThroughput {
    private LockThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String backend = args[0];
        int threads = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        Path dir = Files.createDirectories(Path.of(args[3]));
        TestingServer zk = null;
        CuratorFramework curator = null;
        try (TransactionService svc = TransactionService.builder().nodeName("bench-locks").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            LockService locks;
            if (backend.equals("zookeeper")) {
                zk = new TestingServer(true);
                curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new ExponentialBackoffRetry(100, 3));
                curator.start();
                locks = LockService.builder(tm).name("locks").zooKeeper(curator, "/bench").build();
            } else {
                locks = LockService.inProcess(tm);
            }
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder done = new LongAdder();
            Thread[] ws = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                ws[t] = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            tm.begin();
                            locks.lock("account-" + ThreadLocalRandom.current().nextInt(1000));
                            tm.commit();
                            done.increment();
                        } catch (Exception e) {
                            try {
                                tm.rollback();
                            } catch (Exception ignored) {
                                // already completed
                            }
                        }
                    }
                });
                ws[t].start();
            }
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            long tx = done.sum();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            for (Thread w : ws) {
                w.join(10_000);
            }
            System.out.printf("RESULT tx=%d seconds=%.3f%n", tx, elapsed);
            locks.close();
        } finally {
            if (curator != null) {
                curator.close();
            }
            if (zk != null) {
                zk.close();
            }
        }
        System.exit(0);
    }
}
