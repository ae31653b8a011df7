package dev.pledge.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@link DbPairedRunOne} run: contender A's and B's committed transactions and the time each was
 * on, and A's throughput over B's in every A B B A block.
 */
record PairedMeasurement(String a, String b, int threads, long aTx, double aSeconds, long bTx, double bSeconds, List<Double> blockRatios) {

    double aPerSecond() {
        return aTx / aSeconds;
    }

    double bPerSecond() {
        return bTx / bSeconds;
    }

    /** The share of B's throughput A lost over the whole run, in percent (negative: A was faster). */
    double lostPercent() {
        return 100 * (1 - aPerSecond() / bPerSecond());
    }

    /** The {@code q}-quantile (0..1) of the per-block loss in percent, linearly interpolated. */
    double blockLossQuantile(double q) {
        List<Double> lost = new ArrayList<>();
        for (double r : blockRatios) {
            lost.add(100 * (1 - r));
        }
        lost.sort(null);
        double pos = q * (lost.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, lost.size() - 1);
        return lost.get(lo) + (pos - lo) * (lost.get(hi) - lost.get(lo));
    }
}
