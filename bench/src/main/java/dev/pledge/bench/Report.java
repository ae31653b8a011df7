package dev.pledge.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Writes the measurements as CSV, a Markdown table of medians, and an SVG bar chart. */
final class Report {
    private Report() {
    }

    static String csv(List<Measurement> all) {
        StringBuilder sb = new StringBuilder("manager,threads,round,tx_per_s,p50_us,p99_us,syncs_per_tx,cpu_us_per_tx,machine_idle_pct\n");
        for (Measurement m : all) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%.1f,%s,%s,%s%n", m.manager(), m.threads(), m.round(), m.txPerSecond(),
                    m.p50us(), m.p99us(), m.syncsPerTx() < 0 ? "" : String.format(Locale.ROOT, "%.3f", m.syncsPerTx()),
                    m.cpuUsPerTx() < 0 ? "" : String.format(Locale.ROOT, "%.1f", m.cpuUsPerTx()),
                    m.idlePercent() < 0 ? "" : String.format(Locale.ROOT, "%.1f", m.idlePercent())));
        }
        return sb.toString();
    }

    /** Median of each (manager, threads) over the rounds, in the order managers were given. */
    static Map<String, Map<Integer, Measurement>> medians(List<Measurement> all) {
        Map<String, Map<Integer, List<Measurement>>> grouped = new LinkedHashMap<>();
        for (Measurement m : all) {
            grouped.computeIfAbsent(m.manager(), k -> new LinkedHashMap<>()).computeIfAbsent(m.threads(), k -> new ArrayList<>()).add(m);
        }
        Map<String, Map<Integer, Measurement>> out = new LinkedHashMap<>();
        grouped.forEach((manager, byThreads) -> {
            Map<Integer, Measurement> row = new LinkedHashMap<>();
            byThreads.forEach((t, list) -> {
                List<Measurement> sorted = new ArrayList<>(list);
                sorted.sort(Comparator.comparingDouble(Measurement::txPerSecond));
                row.put(t, sorted.get(sorted.size() / 2));
            });
            out.put(manager, row);
        });
        return out;
    }

    static String markdown(List<Measurement> all, double appendSyncsPerSecond, double preallocatedSyncsPerSecond) {
        return table(all) + String.format(Locale.ROOT, "%nDisk ceiling in the same run (best round, one thread, 128-byte writes each followed by fdatasync):"
                + " %,.0f/s appending to a growing file, %,.0f/s writing into a preallocated file.%n", appendSyncsPerSecond, preallocatedSyncsPerSecond);
    }

    /** One row per manager, one column per thread count: median throughput, its p50/p99 and syncs per transaction. */
    static String table(List<Measurement> all) {
        Map<String, Map<Integer, Measurement>> med = medians(all);
        TreeSet<Integer> threads = new TreeSet<>();
        med.values().forEach(r -> threads.addAll(r.keySet()));
        StringBuilder sb = new StringBuilder();
        sb.append("| manager |");
        threads.forEach(t -> sb.append(" ").append(t).append(t == 1 ? " thread |" : " threads |"));
        sb.append("\n|---|");
        threads.forEach(t -> sb.append("---:|"));
        sb.append('\n');
        for (Map.Entry<String, Map<Integer, Measurement>> e : med.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" |");
            for (int t : threads) {
                Measurement m = e.getValue().get(t);
                sb.append(m == null ? " – |" : String.format(Locale.ROOT, " %,.0f tx/s<br>p50 %s / p99 %s%s |", m.txPerSecond(), micros(m.p50us()),
                        micros(m.p99us()), m.syncsPerTx() < 0 ? "" : String.format(Locale.ROOT, "<br>%.2f syncs/tx", m.syncsPerTx())));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * How much {@code manager} costs over {@code baseline} per thread count, from the medians:
     * throughput lost ({@code 1 - manager/baseline}) and median latency added ({@code p50/p50base - 1});
     * then the throughput lost within each round (the two ran back to back there, so drift between
     * rounds cancels out) and the median of those. Negative means the manager did better. Last, the
     * client JVM's CPU per transaction of both (medians over the rounds) and the machine's idle share
     * while the manager ran, which tell whether the processors were the limit.
     */
    static String overhead(List<Measurement> all, String manager, String baseline) {
        Map<String, Map<Integer, Measurement>> med = medians(all);
        Map<Integer, Measurement> m = med.getOrDefault(manager, Map.of());
        Map<Integer, Measurement> b = med.getOrDefault(baseline, Map.of());
        StringBuilder sb = new StringBuilder("| threads | ").append(manager).append(" tx/s | ").append(baseline)
                .append(" tx/s | throughput lost | p50 latency added | lost in each round | median of rounds | client CPU per tx | machine idle |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        new TreeSet<>(m.keySet()).forEach(t -> {
            Measurement x = m.get(t);
            Measurement y = b.get(t);
            if (y != null) {
                List<Double> perRound = lostPerRound(all, manager, baseline, t);
                StringBuilder rounds = new StringBuilder();
                for (double d : perRound) {
                    rounds.append(rounds.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+.1f %%", d));
                }
                List<Double> sorted = new ArrayList<>(perRound);
                sorted.sort(null);
                String median = sorted.isEmpty() ? "–" : String.format(Locale.ROOT, "%+.1f %%", sorted.size() % 2 == 1
                        ? sorted.get(sorted.size() / 2) : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2);
                double cpu = medianOf(all, manager, t, Measurement::cpuUsPerTx);
                double baseCpu = medianOf(all, baseline, t, Measurement::cpuUsPerTx);
                double idle = medianOf(all, manager, t, Measurement::idlePercent);
                sb.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %+.1f %% | %+.1f %% | %s | %s | %s | %s |%n", t, x.txPerSecond(),
                        y.txPerSecond(), 100 * (1 - x.txPerSecond() / y.txPerSecond()), 100 * (x.p50us() / y.p50us() - 1), rounds, median,
                        cpu < 0 || baseCpu < 0 ? "–" : String.format(Locale.ROOT, "%.0f µs against %.0f µs", cpu, baseCpu),
                        idle < 0 ? "–" : String.format(Locale.ROOT, "%.0f %%", idle)));
            }
        });
        return sb.toString();
    }

    /** Median of a figure over the rounds of (manager, threads), ignoring unknown (negative) values; -1 when none is known. */
    private static double medianOf(List<Measurement> all, String manager, int threads, java.util.function.ToDoubleFunction<Measurement> figure) {
        List<Double> known = new ArrayList<>();
        for (Measurement x : all) {
            if (x.threads() == threads && x.manager().equals(manager) && figure.applyAsDouble(x) >= 0) {
                known.add(figure.applyAsDouble(x));
            }
        }
        if (known.isEmpty()) {
            return -1;
        }
        known.sort(null);
        int n = known.size();
        return n % 2 == 1 ? known.get(n / 2) : (known.get(n / 2 - 1) + known.get(n / 2)) / 2;
    }

    /** Per round (in round order), the percentage of {@code baseline}'s throughput that {@code manager} did not reach at {@code threads}. */
    private static List<Double> lostPerRound(List<Measurement> all, String manager, String baseline, int threads) {
        Map<Integer, Double> mine = new TreeMap<>();
        Map<Integer, Double> theirs = new TreeMap<>();
        for (Measurement x : all) {
            if (x.threads() == threads && x.manager().equals(manager)) {
                mine.put(x.round(), x.txPerSecond());
            } else if (x.threads() == threads && x.manager().equals(baseline)) {
                theirs.put(x.round(), x.txPerSecond());
            }
        }
        List<Double> out = new ArrayList<>();
        mine.forEach((round, tx) -> {
            Double base = theirs.get(round);
            if (base != null) {
                out.add(100 * (1 - tx / base));
            }
        });
        return out;
    }

    private static String micros(double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000) : String.format(Locale.ROOT, "%.0f µs", us);
    }

    /** Grouped bars: one group per thread count, one bar per manager, log-free linear scale. */
    static String svg(List<Measurement> all, String workload) {
        Map<String, Map<Integer, Measurement>> med = medians(all);
        TreeSet<Integer> threads = new TreeSet<>();
        med.values().forEach(r -> threads.addAll(r.keySet()));
        double max = 1;
        for (Map<Integer, Measurement> r : med.values()) {
            for (Measurement m : r.values()) {
                max = Math.max(max, m.txPerSecond());
            }
        }
        String[] colours = {"#2a9d8f", "#e76f51", "#f4a261", "#264653", "#8ab17d"};
        int groupWidth = 40 + 22 * med.size();
        int width = 80 + groupWidth * threads.size() + 180;
        int height = 360;
        int plot = 280;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height));
        sb.append("<text x=\"10\" y=\"16\">committed transactions per second (").append(workload).append("), median of rounds</text>\n");
        sb.append(String.format(Locale.ROOT, "<line x1=\"70\" y1=\"30\" x2=\"70\" y2=\"%d\" stroke=\"black\"/>%n", 30 + plot));
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            int y = 30 + plot - (int) (plot * i / 4.0);
            sb.append(String.format(Locale.ROOT, "<text x=\"64\" y=\"%d\" text-anchor=\"end\">%,.0f</text>%n", y + 4, v));
            sb.append(String.format(Locale.ROOT, "<line x1=\"70\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n", y, width - 180, y));
        }
        int g = 0;
        for (int t : threads) {
            int x0 = 80 + g * groupWidth;
            int k = 0;
            for (Map.Entry<String, Map<Integer, Measurement>> e : med.entrySet()) {
                Measurement m = e.getValue().get(t);
                if (m != null) {
                    int h = (int) (plot * m.txPerSecond() / max);
                    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"%d\" fill=\"%s\"><title>%s, %d threads: %,.0f tx/s</title></rect>%n",
                            x0 + k * 22, 30 + plot - h, h, colours[k % colours.length], e.getKey(), t, m.txPerSecond()));
                }
                k++;
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d thr</text>%n", x0, 30 + plot + 18, t));
            g++;
        }
        int k = 0;
        for (String manager : med.keySet()) {
            int y = 40 + k * 18;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    width - 170, y, colours[k % colours.length], width - 152, y + 11, manager));
            k++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** One row per paired run, the block ratios (A over B) joined by semicolons. */
    static String pairedCsv(List<PairedMeasurement> all) {
        StringBuilder sb = new StringBuilder("a,b,threads,a_tx,a_seconds,b_tx,b_seconds,block_ratios\n");
        for (PairedMeasurement m : all) {
            StringBuilder ratios = new StringBuilder();
            for (double r : m.blockRatios()) {
                ratios.append(ratios.length() == 0 ? "" : ";").append(String.format(Locale.ROOT, "%.4f", r));
            }
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.3f,%d,%.3f,%s%n", m.a(), m.b(), m.threads(), m.aTx(), m.aSeconds(), m.bTx(),
                    m.bSeconds(), ratios));
        }
        return sb.toString();
    }

    /** The paired runs as a table: throughput of each side, what A lost over the run, and the median and middle half of the blocks. */
    static String pairedTable(List<PairedMeasurement> all) {
        StringBuilder sb = new StringBuilder("| threads | A | B | A tx/s | B tx/s | throughput A lost | median block | middle half of the blocks | blocks |\n")
                .append("|---:|---|---|---:|---:|---:|---:|---|---:|\n");
        for (PairedMeasurement m : all) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %,.0f | %,.0f | %+.1f %% | %+.1f %% | %+.1f %% to %+.1f %% | %d |%n", m.threads(), m.a(),
                    m.b(), m.aPerSecond(), m.bPerSecond(), m.lostPercent(), m.blockLossQuantile(0.5), m.blockLossQuantile(0.25),
                    m.blockLossQuantile(0.75), m.blockRatios().size()));
        }
        return sb.toString();
    }

    static String bridgeCsv(List<BridgeMeasurement> all) {
        StringBuilder sb = new StringBuilder("contender,round,messages,batch,seconds,msg_per_s\n");
        for (BridgeMeasurement m : all) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.3f,%.1f%n", m.contender(), m.round(), m.messages(), m.batch(), m.seconds(),
                    m.messagesPerSecond()));
        }
        return sb.toString();
    }

    /** One row per contender (in the order run): median msg/s over the rounds, every round's figure, and the ratio to {@code baseline}'s median. */
    static String bridgeTable(List<BridgeMeasurement> all, String baseline) {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (BridgeMeasurement m : all) {
            rates.computeIfAbsent(m.contender(), k -> new ArrayList<>()).add(m.messagesPerSecond());
        }
        Double base = rates.containsKey(baseline) ? median(rates.get(baseline)) : null;
        StringBuilder sb = new StringBuilder("| bridge | msg/s (median) | rounds | vs ").append(BridgeContender.label(baseline))
                .append(" |\n|---|---:|---:|---:|\n");
        rates.forEach((contender, r) -> {
            double med = median(r);
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s |%n", BridgeContender.label(contender), med,
                    String.join(", ", r.stream().map(x -> String.format(Locale.ROOT, "%,.0f", x)).toList()),
                    base == null ? "–" : String.format(Locale.ROOT, "%.2f×", med / base)));
        });
        return sb.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
