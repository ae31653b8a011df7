package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Child JVM: N Pledge transactions (durable log, 16 threads), printing the heap used after a full GC every N/10. */
public final class HeapCheck {
    private HeapCheck() {
    }

    public static void main(String[] args) throws Exception {
        long total = Long.parseLong(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        int threads = 16;
        NoopXAResource a = new NoopXAResource("noop-a");
        NoopXAResource b = new NoopXAResource("noop-b");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (TransactionService svc = TransactionService.builder().nodeName("bench-heap").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            long step = total / 10;
            for (long done = 0; done < total; done += step) {
                Thread[] ws = new Thread[threads];
                long each = step / threads;
                for (int t = 0; t < threads; t++) {
                    ws[t] = new Thread(() -> {
                        try {
                            for (long i = 0; i < each; i++) {
                                tm.begin();
                                tm.getTransaction().enlistResource(a);
                                tm.getTransaction().enlistResource(b);
                                tm.commit();
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    ws[t].start();
                }
                for (Thread w : ws) {
                    w.join();
                }
                System.gc();
                System.out.printf("HEAP tx=%d usedBytes=%d%n", done + step, memory.getHeapMemoryUsage().getUsed());
            }
        }
    }
}
