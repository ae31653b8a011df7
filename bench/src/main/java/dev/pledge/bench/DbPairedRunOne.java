package dev.pledge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Child JVM: two database contenders in one process, taking turns in short slices (A B B A, A B B A,
 * …), each with T threads of its own, so that the machine's drift hits both alike. On a shared
 * virtual machine the same contender's throughput moves by a fifth or more from one minute to the
 * next, which separate JVMs run one after the other cannot tell from a difference between contenders;
 * slices of a second, in an order that cancels a steady drift, can. A slice ends when the last of its
 * contender's transactions in flight has finished, and only then does the other contender's start,
 * so the two never run at once. Prints
 * {@code RESULT aTx=… aSeconds=… bTx=… bSeconds=… blocks=… medianRatio=… all=… moved=…}, where
 * {@code medianRatio} is the median over the A B B A blocks of A's throughput over B's in that block,
 * and a {@code BLOCKS} line with every block's ratio.
 * <pre>DbPairedRunOne A B THREADS WARMUP_SECONDS MEASURE_SECONDS SLICE_MILLIS DIR MARIADB_HOST:PORT POSTGRES_HOST:PORT MAX_POOL</pre>
 */
public final class DbPairedRunOne {
    private DbPairedRunOne() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[2]);
        double warmup = Double.parseDouble(args[3]);
        double measure = Double.parseDouble(args[4]);
        long sliceMillis = Long.parseLong(args[5]);
        Path dir = Files.createDirectories(Path.of(args[6]));
        DbServers servers = new DbServers(args[7], args[8]);
        int maxPool = Integer.parseInt(args[9]);
        long before = DbRunOne.credited(servers);
        long all;
        try (DbContender a = DbContender.named(args[0]); DbContender b = DbContender.named(args[1])) {
            Side sa = new Side(args[0], a.start(servers, Files.createDirectories(dir.resolve("a-" + args[0])), threads, maxPool), threads);
            Side sb = new Side(args[1], b.start(servers, Files.createDirectories(dir.resolve("b-" + args[1])), threads, maxPool), threads);
            Side[] order = {sa, sb, sb, sa};
            long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
            for (int i = 0; System.nanoTime() < warmupEnd; i++) {
                order[i % 4].slice(sliceMillis);
            }
            List<Double> ratios = new ArrayList<>();
            long measureEnd = System.nanoTime() + (long) (measure * 1e9);
            while (System.nanoTime() < measureEnd) {
                long[] txBefore = {sa.measuredTx, sb.measuredTx};
                long[] nanosBefore = {sa.measuredNanos, sb.measuredNanos};
                for (Side s : order) {
                    s.measuredSlice(sliceMillis);
                }
                double rateA = (sa.measuredTx - txBefore[0]) / (double) (sa.measuredNanos - nanosBefore[0]);
                double rateB = (sb.measuredTx - txBefore[1]) / (double) (sb.measuredNanos - nanosBefore[1]);
                ratios.add(rateA / rateB);
            }
            sa.stop();
            sb.stop();
            all = sa.committed.sum() + sb.committed.sum();
            StringBuilder blocks = new StringBuilder("BLOCKS");
            for (double r : ratios) {
                blocks.append(String.format(Locale.ROOT, " %.4f", r));
            }
            System.out.println(blocks);
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            System.out.printf(Locale.ROOT, "RESULT aTx=%d aSeconds=%.3f bTx=%d bSeconds=%.3f blocks=%d medianRatio=%.4f failed=%d all=%d%n",
                    sa.measuredTx, sa.measuredNanos / 1e9, sb.measuredTx, sb.measuredNanos / 1e9, n, median,
                    sa.failed.sum() + sb.failed.sum(), all);
        }
        System.out.println("RESULT moved=" + (DbRunOne.credited(servers) - before));
        System.exit(0);
    }

    /**
     * One contender's threads. They run a transaction only while holding the read lock; the
     * controller holds the write lock while the contender is off, so taking it ends a slice once the
     * transactions in flight are done.
     */
    static final class Side {
        final String name;
        final ReentrantReadWriteLock turn = new ReentrantReadWriteLock();
        final AtomicBoolean stopping = new AtomicBoolean();
        final LongAdder committed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final List<Thread> workers = new ArrayList<>();
        /** Written by the controller thread only. */
        long measuredTx;
        long measuredNanos;
        /** The process's CPU time during this side's measured slices (its threads, the log's, the JVM's). */
        long measuredCpuNanos;

        Side(String name, LoadLoop.Body body, int threads) {
            this.name = name;
            turn.writeLock().lock(); // off until its first slice
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    while (true) {
                        turn.readLock().lock();
                        try {
                            if (stopping.get()) {
                                return;
                            }
                            body.transaction(thread);
                            committed.increment();
                        } catch (Exception e) {
                            if (failed.sum() == 0) {
                                System.out.println("FAILURE " + name + ": " + e);
                                e.printStackTrace();
                            }
                            failed.increment();
                        } finally {
                            turn.readLock().unlock();
                        }
                    }
                }, "bench-" + name + "-" + t);
                w.setDaemon(true); // a run whose main thread fails (a contender refused to start) ends instead of hanging
                workers.add(w);
                w.start();
            }
        }

        /** Lets this side run for {@code millis}, then waits for its transactions in flight; returns the nanoseconds it was on. */
        long slice(long millis) throws InterruptedException {
            long start = System.nanoTime();
            turn.writeLock().unlock();
            Thread.sleep(millis);
            turn.writeLock().lock();
            return System.nanoTime() - start;
        }

        void measuredSlice(long millis) throws InterruptedException {
            long tx0 = committed.sum();
            long cpu0 = MachineCpu.processNanos();
            measuredNanos += slice(millis);
            measuredCpuNanos += MachineCpu.processNanos() - cpu0;
            measuredTx += committed.sum() - tx0;
        }

        void stop() throws InterruptedException {
            stopping.set(true);
            turn.writeLock().unlock();
            for (Thread w : workers) {
                w.join(30_000);
            }
        }
    }
}
