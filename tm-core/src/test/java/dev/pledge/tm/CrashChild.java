package dev.pledge.tm;

import jakarta.transaction.TransactionManager;
import java.io.IOException;
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

/**
 * The coordinator process of the crash tests. {@code work} runs 2PC transactions over two
 * {@link FileResourceManager}s and halts the JVM ({@code Runtime.halt}, no shutdown hooks, nothing
 * flushed) at a chosen point or after a random delay; {@code recover} is the new process that
 * recovers from the same log under the same node name.
 * <pre>
 * work    LOG RM_A RM_B THREADS CRASH ACKS PREFIX   CRASH: none | prepare-first | after-prepares | after-decision | after-one-commit | random:MILLIS
 * recover LOG RM_A RM_B
 * </pre>
 * LOG is a directory (the file log) or a {@link TestLog#spec} (either log).
 * Chosen crash points fire on transaction {@link #CRASH_AT}, after earlier ones committed.
 */
final class CrashChild {
    static final String NODE = "crash-node";
    static final int CRASH_AT = 5;
    static final int HALT_STATUS = 99;
    /** What {@code recover} prints first: how many branches the crash left prepared. */
    static final String IN_DOUBT = "prepared branches at start: ";
    private static final CountDownLatch FIRST_COMMIT = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        TestLog log = TestLog.parse(args[1]);
        FileResourceManager a = new FileResourceManager("rm-a", Path.of(args[2]));
        FileResourceManager b = new FileResourceManager("rm-b", Path.of(args[3]));
        switch (args[0]) {
            case "work" -> work(log, a, b, Integer.parseInt(args[4]), args[5], Path.of(args[6]), args[7]);
            case "recover" -> recover(log, a, b);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void recover(TestLog log, FileResourceManager a, FileResourceManager b) throws IOException, InterruptedException {
        System.out.println(IN_DOUBT + (a.preparedBranches().size() + b.preparedBranches().size()));
        int status;
        try (TransactionService svc = log.build(TransactionService.builder()
                .nodeName(NODE)
                .recoveryInterval(Duration.ZERO)
                .recoveryResource(a.name, a::connect)
                .recoveryResource(b.name, b::connect))) {
            RecoveryReport report = svc.recovery().runPass();
            System.out.println("second pass: " + report);
            int pendingDecisions = svc.journal().pendingCommits().size();
            System.out.println("pending decisions: " + pendingDecisions);
            status = report.isClean() && pendingDecisions == 0 ? 0 : 2;
        }
        System.exit(status); // after close: a database log's completions are deleted and its lease ended
    }

    private static void work(TestLog log, FileResourceManager a, FileResourceManager b, int threads, String crash, Path acks,
                             String prefix) throws Exception {
        AtomicInteger sequence = new AtomicInteger();
        switch (crash) {
            case "none" -> { }
            case "prepare-first" -> a.hooks = p -> haltOn(p, "prepare:before", sequence);
            case "after-prepares" -> b.hooks = p -> haltOn(p, "prepare:after", sequence);
            case "after-decision" -> a.hooks = p -> haltOn(p, "commit:before", sequence);
            case "after-one-commit" -> b.hooks = p -> haltOn(p, "commit:before", sequence);
            default -> {
                if (!crash.startsWith("random:")) {
                    throw new IllegalArgumentException(crash);
                }
                long millis = Long.parseLong(crash.substring("random:".length()));
                Thread killer = new Thread(() -> {
                    try {
                        FIRST_COMMIT.await(); // halt under load, not during start-up
                        Thread.sleep(millis);
                    } catch (InterruptedException ignored) {
                        return;
                    }
                    Runtime.getRuntime().halt(HALT_STATUS);
                });
                killer.setDaemon(true);
                killer.start();
            }
        }
        boolean endless = crash.startsWith("random:");
        int total = endless ? Integer.MAX_VALUE : CRASH_AT + 3;
        try (TransactionService svc = log.build(TransactionService.builder()
                .nodeName(NODE)
                .recoveryInterval(Duration.ZERO));
             FileChannel ackChannel = FileChannel.open(acks, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            TransactionManager tm = svc.transactionManager();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    while (true) {
                        int n = sequence.incrementAndGet();
                        if (n > total) {
                            return;
                        }
                        String id = prefix + "tx-" + n;
                        try {
                            FileResourceManager.Connection ca = a.connect();
                            FileResourceManager.Connection cb = b.connect();
                            tm.begin();
                            tm.getTransaction().enlistResource(ca);
                            tm.getTransaction().enlistResource(cb);
                            ca.write(id);
                            cb.write(id);
                            if (endless && ThreadLocalRandom.current().nextInt(10) == 0) {
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

    /** Halts when the chosen point of the chosen transaction is reached. */
    private static void haltOn(String point, String wanted, AtomicInteger sequence) {
        if (point.equals(wanted) && sequence.get() == CRASH_AT) {
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    private static synchronized void ack(FileChannel channel, String id) throws IOException {
        channel.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
