package dev.pledge.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The measuring loop every child JVM shares: T threads run one transaction after another, a warm-up,
 * then a timed window with a latency histogram per thread. Prints one line
 * {@code RESULT tx=… seconds=… p50us=… p99us=… forces=… failed=… all=…}, where {@code all} counts every
 * committed transaction of the process (warm-up included), the denominator for system-wide sync counts.
 */
final class LoadLoop {
    /** One transaction of thread {@code thread}; throws when it did not commit. */
    @FunctionalInterface
    interface Body {
        void transaction(int thread) throws Exception;
    }

    private LoadLoop() {
    }

    /** Runs the loop; {@code forces} tells the manager's own log-force count, or -1. */
    static void run(int threads, double warmup, double measure, Body body, java.util.function.LongSupplier forces) throws InterruptedException {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder committed = new LongAdder();
        LongAdder everCommitted = new LongAdder();
        LongAdder failed = new LongAdder();
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        List<Exception> firstFailure = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Histogram h = new Histogram(60_000_000_000L, 2);
            histograms.add(h);
            int thread = t;
            Thread w = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        body.transaction(thread);
                    } catch (Exception e) {
                        failed.increment();
                        synchronized (firstFailure) {
                            if (firstFailure.isEmpty()) {
                                firstFailure.add(e);
                            }
                        }
                        continue;
                    }
                    everCommitted.increment();
                    if (measuring.get()) {
                        h.recordValue(System.nanoTime() - start);
                        committed.increment();
                    }
                }
            }, "bench-worker-" + t);
            workers.add(w);
            w.start();
        }
        Thread.sleep((long) (warmup * 1000));
        long forces0 = forces.getAsLong();
        long cpu0 = MachineCpu.processNanos();
        long[] machine0 = MachineCpu.busyAndIdleTicks();
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep((long) (measure * 1000));
        measuring.set(false);
        long t1 = System.nanoTime();
        long cpu1 = MachineCpu.processNanos();
        long[] machine1 = MachineCpu.busyAndIdleTicks();
        long forces1 = forces.getAsLong();
        stop.set(true);
        for (Thread w : workers) {
            w.join(30_000);
        }
        Histogram all = new Histogram(60_000_000_000L, 2);
        for (Histogram h : histograms) {
            all.add(h);
        }
        if (!firstFailure.isEmpty()) {
            System.out.println("FAILURE first of " + failed.sum() + ": " + firstFailure.get(0));
            System.err.println("first failed transaction of " + failed.sum() + ":");
            firstFailure.get(0).printStackTrace();
        }
        long tx = committed.sum();
        System.out.printf(Locale.ROOT, "RESULT tx=%d seconds=%.3f p50us=%.1f p99us=%.1f forces=%d failed=%d all=%d cpuus=%.1f idlepct=%.1f%n", tx,
                (t1 - t0) / 1e9, all.getValueAtPercentile(50) / 1e3, all.getValueAtPercentile(99) / 1e3,
                forces0 < 0 ? -1 : forces1 - forces0, failed.sum(), everCommitted.sum(),
                cpu0 < 0 || tx == 0 ? -1.0 : (cpu1 - cpu0) / 1e3 / tx, MachineCpu.idlePercent(machine0, machine1));
    }
}
