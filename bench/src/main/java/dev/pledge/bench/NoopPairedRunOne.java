package dev.pledge.bench;

import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Child JVM: two contenders of the no-op workload in one process, taking turns in slices (A B B A, …)
 * as {@link DbPairedRunOne} does for the database workload, so that the machine's drift hits both
 * alike: e.g. {@code pledge} against {@code pledge-traced}. Prints the same {@code BLOCKS} and
 * {@code RESULT … medianRatio=…} lines (A's throughput over B's, median over the blocks), and each side's CPU time of
 * the process per transaction during its slices.
 * <pre>NoopPairedRunOne A B THREADS WARMUP_SECONDS MEASURE_SECONDS SLICE_MILLIS DIR</pre>
 */
public final class NoopPairedRunOne {
    private NoopPairedRunOne() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[2]);
        double warmup = Double.parseDouble(args[3]);
        double measure = Double.parseDouble(args[4]);
        long sliceMillis = Long.parseLong(args[5]);
        Path dir = Files.createDirectories(Path.of(args[6]));
        try (Contender a = Contender.named(args[0]); Contender b = Contender.named(args[1])) {
            DbPairedRunOne.Side sa = new DbPairedRunOne.Side(args[0], body(a, Files.createDirectories(dir.resolve("a-" + args[0]))), threads);
            DbPairedRunOne.Side sb = new DbPairedRunOne.Side(args[1], body(b, Files.createDirectories(dir.resolve("b-" + args[1]))), threads);
            DbPairedRunOne.Side[] order = {sa, sb, sb, sa};
            long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
            for (int i = 0; System.nanoTime() < warmupEnd; i++) {
                order[i % 4].slice(sliceMillis);
            }
            List<Double> ratios = new ArrayList<>();
            long measureEnd = System.nanoTime() + (long) (measure * 1e9);
            while (System.nanoTime() < measureEnd) {
                long txA = sa.measuredTx;
                long txB = sb.measuredTx;
                long nanosA = sa.measuredNanos;
                long nanosB = sb.measuredNanos;
                for (DbPairedRunOne.Side s : order) {
                    s.measuredSlice(sliceMillis);
                }
                ratios.add(((sa.measuredTx - txA) / (double) (sa.measuredNanos - nanosA))
                        / ((sb.measuredTx - txB) / (double) (sb.measuredNanos - nanosB)));
            }
            sa.stop();
            sb.stop();
            StringBuilder blocks = new StringBuilder("BLOCKS");
            for (double r : ratios) {
                blocks.append(String.format(Locale.ROOT, " %.4f", r));
            }
            System.out.println(blocks);
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            System.out.printf(Locale.ROOT, "RESULT aTx=%d aSeconds=%.3f bTx=%d bSeconds=%.3f blocks=%d medianRatio=%.4f failed=%d"
                            + " aCpuMicrosPerTx=%.2f bCpuMicrosPerTx=%.2f%n",
                    sa.measuredTx, sa.measuredNanos / 1e9, sb.measuredTx, sb.measuredNanos / 1e9, n, median,
                    sa.failed.sum() + sb.failed.sum(), sa.measuredCpuNanos / 1e3 / sa.measuredTx, sb.measuredCpuNanos / 1e3 / sb.measuredTx);
        }
        System.exit(0);
    }

    private static LoadLoop.Body body(Contender c, Path dir) throws Exception {
        NoopXAResource x = new NoopXAResource("noop-a");
        NoopXAResource y = new NoopXAResource("noop-b");
        TransactionManager tm = c.start(dir, x, y);
        return thread -> {
            tm.begin();
            tm.getTransaction().enlistResource(x);
            tm.getTransaction().enlistResource(y);
            tm.commit();
        };
    }
}
