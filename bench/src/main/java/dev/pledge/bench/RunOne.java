package dev.pledge.bench;

import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Child JVM: one manager, T threads, each transaction enlisting two no-op resources and committing.
 * Prints one line {@code RESULT tx=… seconds=… p50us=… p99us=… forces=…}.
 * <pre>RunOne MANAGER THREADS WARMUP_SECONDS MEASURE_SECONDS DIR</pre>
 */
public final class RunOne {
    private RunOne() {
    }

    public static void main(String[] args) throws Exception {
        String manager = args[0];
        int threads = Integer.parseInt(args[1]);
        double warmup = Double.parseDouble(args[2]);
        double measure = Double.parseDouble(args[3]);
        Path dir = Files.createDirectories(Path.of(args[4]));
        NoopXAResource a = new NoopXAResource("noop-a");
        NoopXAResource b = new NoopXAResource("noop-b");
        try (Contender c = Contender.named(manager)) {
            TransactionManager tm = c.start(dir, a, b);
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder committed = new LongAdder();
            LongAdder failed = new LongAdder();
            List<Histogram> histograms = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Histogram h = new Histogram(60_000_000_000L, 2);
                histograms.add(h);
                Thread w = new Thread(() -> {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            tm.begin();
                            tm.getTransaction().enlistResource(a);
                            tm.getTransaction().enlistResource(b);
                            tm.commit();
                        } catch (Exception e) {
                            failed.increment();
                            continue;
                        }
                        if (measuring.get()) {
                            h.recordValue(System.nanoTime() - start);
                            committed.increment();
                        }
                    }
                }, "bench-" + t);
                workers.add(w);
                w.start();
            }
            Thread.sleep((long) (warmup * 1000));
            long forces0 = c.forces();
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep((long) (measure * 1000));
            measuring.set(false);
            long t1 = System.nanoTime();
            long forces1 = c.forces();
            stop.set(true);
            for (Thread w : workers) {
                w.join(30_000);
            }
            Histogram all = new Histogram(60_000_000_000L, 2);
            for (Histogram h : histograms) {
                all.add(h);
            }
            long tx = committed.sum();
            System.out.printf("RESULT tx=%d seconds=%.3f p50us=%.1f p99us=%.1f forces=%d failed=%d%n", tx, (t1 - t0) / 1e9,
                    all.getValueAtPercentile(50) / 1e3, all.getValueAtPercentile(99) / 1e3, forces0 < 0 ? -1 : forces1 - forces0,
                    failed.sum());
        }
        System.exit(0);
    }
}
