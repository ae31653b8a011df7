package dev.pledge.tm;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.TransactionManager;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The coordinator process of the database-log crash test: like {@link CrashChild}, but its log is
 * in a database. {@code work} runs 2PC transactions over two {@link FileResourceManager}s and halts
 * ({@code Runtime.halt}) after a random delay under load; {@code recover} is the new process that
 * takes the node back (once the halted one's lease has run out by the database's clock) and recovers.
 * <pre>
 * work    DATABASE PREFIX RM_A RM_B THREADS HALT_MILLIS ACKS ID_PREFIX
 * recover DATABASE PREFIX RM_A RM_B
 * </pre>
 */
final class DatabaseLogCrashChild {
    static final String NODE = "db-crash-node";
    static final Duration LEASE = Duration.ofSeconds(1);
    private static final CountDownLatch FIRST_COMMIT = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        DataSource ds = LogDatabases.of(args[1], null);
        String prefix = args[2];
        FileResourceManager a = new FileResourceManager("rm-a", Path.of(args[3]));
        FileResourceManager b = new FileResourceManager("rm-b", Path.of(args[4]));
        switch (args[0]) {
            case "work" -> work(ds, prefix, a, b, Integer.parseInt(args[5]), Long.parseLong(args[6]), Path.of(args[7]), args[8]);
            case "recover" -> recover(ds, prefix, a, b);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static TransactionService.Builder builder(DataSource ds, String prefix) {
        return TransactionService.builder()
                .nodeName(NODE)
                .databaseLog(ds)
                .databaseLogTablePrefix(prefix)
                .databaseLogLease(LEASE)
                .recoveryInterval(Duration.ZERO);
    }

    private static void recover(DataSource ds, String prefix, FileResourceManager a, FileResourceManager b) throws Exception {
        System.out.println(CrashChild.IN_DOUBT + (a.preparedBranches().size() + b.preparedBranches().size()));
        long deadline = System.nanoTime() + 3 * LEASE.toNanos() + 2_000_000_000L;
        while (true) {
            int status;
            try (TransactionService svc = builder(ds, prefix)
                    .recoveryResource(a.name, a::connect)
                    .recoveryResource(b.name, b::connect)
                    .build()) {
                RecoveryReport report = svc.recovery().runPass();
                System.out.println("second pass: " + report);
                int pendingDecisions = svc.journal().pendingCommits().size();
                System.out.println("pending decisions: " + pendingDecisions);
                status = report.isClean() && pendingDecisions == 0 ? 0 : 2;
            } catch (JournalException e) {
                if (!e.getMessage().contains("held by a live Pledge service") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // the halted coordinator's lease has not run out yet
                continue;
            }
            System.exit(status); // after close: the completions are deleted and the lease ended
        }
    }

    private static void work(DataSource ds, String prefix, FileResourceManager a, FileResourceManager b, int threads, long haltMillis,
                             Path acks, String idPrefix) throws Exception {
        Thread killer = new Thread(() -> {
            try {
                FIRST_COMMIT.await();
                Thread.sleep(haltMillis);
            } catch (InterruptedException ignored) {
                return;
            }
            Runtime.getRuntime().halt(CrashChild.HALT_STATUS);
        });
        killer.setDaemon(true);
        killer.start();
        AtomicInteger sequence = new AtomicInteger();
        try (TransactionService svc = builder(ds, prefix).build();
             FileChannel ackChannel = FileChannel.open(acks, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            TransactionManager tm = svc.transactionManager();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    while (true) {
                        String id = idPrefix + "tx-" + sequence.incrementAndGet();
                        try {
                            FileResourceManager.Connection ca = a.connect();
                            FileResourceManager.Connection cb = b.connect();
                            tm.begin();
                            tm.getTransaction().enlistResource(ca);
                            tm.getTransaction().enlistResource(cb);
                            ca.write(id);
                            cb.write(id);
                            if (ThreadLocalRandom.current().nextInt(10) == 0) {
                                tm.rollback();
                                continue;
                            }
                            tm.commit();
                            ack(ackChannel, id);
                            FIRST_COMMIT.countDown();
                        } catch (Exception e) {
                            System.err.println(id + " failed: " + e);
                            Runtime.getRuntime().halt(3);
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
        }
    }

    private static synchronized void ack(FileChannel channel, String id) throws java.io.IOException {
        channel.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
