package dev.pledge.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs every manager in its own JVM, alternately (round 1: A B C D, round 2: A B C D, …) so that
 * machine drift hits all of them alike, plus the disk's fdatasync ceiling, the MariaDB → PostgreSQL
 * transfer workload, the JMS bridge workload (Artemis's bridge against Pledge's), a heap check and lock
 * throughput; writes {@code results.csv}, {@code db-results.csv}, {@code bridge-results.csv},
 * {@code results.md}, {@code throughput.svg} and {@code db-throughput.svg}.
 */
@Command(name = "pledge-bench", mixinStandardHelpOptions = true)
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "bench/results")
    Path out;
    @Option(names = "--managers", split = ",", defaultValue = "pledge,narayana-journal,narayana-file,atomikos")
    List<String> managers;
    @Option(names = "--threads", split = ",", defaultValue = "1,4,16,64,256")
    List<Integer> threads;
    @Option(names = "--rounds", defaultValue = "3")
    int rounds;
    @Option(names = "--warmup", defaultValue = "3", description = "seconds")
    double warmup;
    @Option(names = "--measure", defaultValue = "5", description = "seconds")
    double measure;
    @Option(names = "--heap-transactions", defaultValue = "1000000")
    long heapTransactions;
    @Option(names = "--work", defaultValue = "bench/target/work", description = "where the logs go (same disk as the build)")
    Path work;
    @Option(names = "--skip-noop", description = "leave out the disk ceiling and the no-op resource workload of --managers")
    boolean skipNoop;
    @Option(names = "--skip-db", description = "leave out the MariaDB/PostgreSQL transfer workload (by default it runs, and fails when a server is missing)")
    boolean skipDb;
    @Option(names = "--db-contenders", split = ",", defaultValue = "pledge,pledge-held,narayana,hand-written")
    List<String> dbContenders;
    @Option(names = "--db-warmup", defaultValue = "15", description = "seconds before each database cell is timed: its child JVM runs the"
            + " pool, the drivers and the manager, and after 3 s it is still compiling them")
    double dbWarmup;
    @Option(names = "--db-threads", split = ",", defaultValue = "1,4,16")
    List<Integer> dbThreads;
    @Option(names = "--db-paired", split = ",", defaultValue = "pledge:hand-written",
            description = "A:B pairs run in one JVM, taking turns in slices (A B B A ...), for each --db-threads; empty for none")
    List<String> dbPaired;
    @Option(names = "--db-paired-warmup", defaultValue = "20", description = "seconds of slices before the paired measurement")
    double dbPairedWarmup;
    @Option(names = "--db-paired-measure", defaultValue = "60", description = "seconds of measured slices, both sides together")
    double dbPairedMeasure;
    @Option(names = "--db-paired-slice", defaultValue = "1000", description = "milliseconds of each slice")
    long dbPairedSlice;
    @Option(names = "--db-pool", defaultValue = "16", description = "max pool size of each data source (Pledge and Narayana alike)")
    int dbPool;
    @Option(names = "--mariadb", defaultValue = "127.0.0.1:3306")
    String mariadb;
    @Option(names = "--postgres", defaultValue = "127.0.0.1:5432")
    String postgres;
    @Option(names = "--skip-bridge", description = "leave out the JMS bridge workload (two embedded Artemis brokers in each child JVM)")
    boolean skipBridge;
    @Option(names = "--bridge-contenders", split = ",", defaultValue = "artemis,pledge,pledge-parallel,pledge-pipelined,pledge-pipelined-parallel,pledge-concurrent")
    List<String> bridgeContenders;
    @Option(names = "--bridge-messages", defaultValue = "60000", description = "messages timed per bridge run (after the warm-up ones)")
    int bridgeMessages;
    @Option(names = "--bridge-warmup-messages", defaultValue = "40000", description = "messages moved before the clock starts: the brokers and both bridges run in the child JVM, whose code needs them to be compiled")
    int bridgeWarmupMessages;
    @Option(names = "--bridge-batch", defaultValue = "100", description = "batch size of every bridge")
    int bridgeBatch;
    @Option(names = "--skip-extras", description = "leave out the heap check and the lock throughput")
    boolean skipExtras;
    @Option(names = "--jvm-arg", description = "extra option for every child JVM (repeatable), e.g. -XX:StartFlightRecording=...")
    List<String> jvmArgs = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        String loadAtStart = loadAverage();
        ChildJvm jvm = new ChildJvm(jvmArgs);
        DbServers servers = new DbServers(mariadb, postgres);
        if (!skipDb) {
            DbSetup.prepare(servers, dbThreads.stream().max(Integer::compare).orElse(1));
        }
        System.out.println(jvm.countsSyncs() ? "syncs per transaction: counted by perf (fsync + fdatasync of the whole child JVM)"
                : "perf cannot count syscalls here: syncs per transaction only where the manager reports its log forces");
        List<Measurement> all = new ArrayList<>();
        List<Measurement> db = new ArrayList<>();
        List<BridgeMeasurement> bridge = new ArrayList<>();
        Map<String, Double> ceiling = new java.util.TreeMap<>();
        List<Double> insertCommitCeiling = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            if (!skipNoop) {
                for (String mode : List.of("append", "preallocated")) {
                    Map<String, Double> disk = jvm.result("disk " + mode, DiskCeiling.class, mode, String.valueOf(measure), dir("disk").toString());
                    double perSecond = disk.get("n") / disk.get("seconds");
                    ceiling.merge(mode, perSecond, Math::max);
                    System.out.printf(Locale.ROOT, "round %d: disk ceiling (%s) %.0f fdatasync/s%s%n", round, mode, perSecond, disk.containsKey("syncs")
                            ? String.format(Locale.ROOT, " (perf counted %.0f syncs for %.0f writes)", disk.get("syncs"), disk.get("n")) : "");
                }
                if (managers.contains("pledge-db") || managers.contains("narayana-jdbc")) {
                    Map<String, Double> ic = jvm.result("insert+commit ceiling", InsertCommitCeiling.class, String.valueOf(measure));
                    double perSecond = ic.get("n") / ic.get("seconds");
                    insertCommitCeiling.add(perSecond);
                    System.out.printf(Locale.ROOT, "round %d: log database ceiling %.0f single-row INSERT+COMMIT/s (one thread, %s)%n", round,
                            perSecond, LogDatabase.URL);
                }
                for (int t : threads) {
                    for (String manager : managers) {
                        Map<String, Double> r = jvm.result(manager + " " + t, RunOne.class, manager, String.valueOf(t), String.valueOf(warmup),
                                String.valueOf(measure), dir(manager + "-" + t + "-" + round).toString());
                        all.add(measurement(manager, t, round, r));
                    }
                }
            }
            if (!skipDb) {
                for (int t : dbThreads) {
                    for (String contender : dbContenders) {
                        Map<String, Double> r = jvm.result("db " + contender + " " + t, DbRunOne.class, contender, String.valueOf(t),
                                String.valueOf(dbWarmup), String.valueOf(measure), dir("db-" + contender + "-" + t + "-" + round).toString(),
                                mariadb, postgres, String.valueOf(dbPool));
                        requireMoneyArrived("db " + contender + " " + t, r);
                        db.add(measurement("db " + contender, t, round, r));
                    }
                }
            }
            if (!skipBridge) {
                for (String contender : bridgeContenders) {
                    BridgeContender.label(contender); // an unknown name fails before the child starts
                    Map<String, Double> r = jvm.result("bridge " + contender, BridgeRunOne.class, contender, String.valueOf(bridgeMessages),
                            String.valueOf(bridgeWarmupMessages), String.valueOf(bridgeBatch), dir("bridge-" + contender + "-" + round).toString());
                    BridgeMeasurement m = new BridgeMeasurement(contender, round, r.get("messages").intValue(), bridgeBatch, r.get("seconds"));
                    System.out.printf(Locale.ROOT, "round %d bridge %-45s %,10.0f msg/s%n", round, BridgeContender.label(contender),
                            m.messagesPerSecond());
                    bridge.add(m);
                }
            }
        }
        List<PairedMeasurement> paired = new ArrayList<>();
        if (!skipDb) {
            for (String pair : dbPaired) {
                if (pair.isBlank()) {
                    continue;
                }
                String[] ab = pair.split(":");
                if (ab.length != 2) {
                    throw new IllegalArgumentException("--db-paired takes A:B pairs of --db-contenders names, not '" + pair + "'");
                }
                for (int t : dbThreads) {
                    paired.add(paired(jvm, ab[0], ab[1], t));
                }
            }
        }
        StringBuilder md = new StringBuilder(machine(loadAtStart));
        if (!skipNoop) {
            Files.writeString(out.resolve("results.csv"), Report.csv(all));
            Files.writeString(out.resolve("throughput.svg"), Report.svg(all, "two no-op XA resources, durable log"));
            md.append("\n### No-op resources\n\n").append(Report.markdown(all, ceiling.get("append"), ceiling.get("preallocated")));
            if (!insertCommitCeiling.isEmpty()) {
                md.append(String.format(Locale.ROOT, "%nLog database ceiling (%s): single-row INSERT + COMMIT from one thread, per round: %s tx/s%n",
                        LogDatabase.URL, insertCommitCeiling.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()));
            }
        }
        if (!skipDb) {
            Files.writeString(out.resolve("db-results.csv"), Report.csv(db));
            Files.writeString(out.resolve("db-throughput.svg"), Report.svg(db, "MariaDB to PostgreSQL transfers"));
            md.append("\n### MariaDB → PostgreSQL transfers\n\n").append(Report.table(db))
                    .append("\nPledge against hand-written XA (throughput lost, median latency added):\n\n")
                    .append(Report.overhead(db, "db pledge", "db hand-written"));
            if (!paired.isEmpty()) {
                Files.writeString(out.resolve("db-paired-results.csv"), Report.pairedCsv(paired));
                md.append(String.format(Locale.ROOT, "%nThe same in one JVM, A and B taking turns in slices of %d ms (A B B A, ...; each side"
                        + " with its own threads and connections, never both at once) for %.0f s after %.0f s of warm-up, so that the machine's"
                        + " drift hits both alike; a block is one A B B A, its loss A's throughput against B's in it:%n%n", dbPairedSlice,
                        dbPairedMeasure, dbPairedWarmup)).append(Report.pairedTable(paired));
            }
        }
        if (!skipBridge) {
            Files.writeString(out.resolve("bridge-results.csv"), Report.bridgeCsv(bridge));
            md.append("\n### JMS bridge, Artemis → Artemis\n\n").append(String.format(Locale.ROOT, "%,d persistent messages timed per run (after %,d"
                    + " warm-up ones), batches of %d, both brokers embedded in the bridge's JVM, every log synced:%n%n", bridgeMessages,
                    bridgeWarmupMessages, bridgeBatch)).append(Report.bridgeTable(bridge, "artemis"));
        }
        if (!skipExtras) {
            extras(jvm, md);
        }
        Files.writeString(out.resolve("results.md"), md.toString());
        System.out.println(md);
        return 0;
    }

    private PairedMeasurement paired(ChildJvm jvm, String a, String b, int t) throws Exception {
        String what = "db paired " + a + ":" + b + " " + t;
        List<String> lines = jvm.lines(what, DbPairedRunOne.class, a, b, String.valueOf(t), String.valueOf(dbPairedWarmup),
                String.valueOf(dbPairedMeasure), String.valueOf(dbPairedSlice), dir("db-paired-" + a + "-" + b + "-" + t).toString(), mariadb,
                postgres, String.valueOf(dbPool));
        Map<String, Double> r = ChildJvm.resultValues(what, lines);
        requireMoneyArrived(what, r);
        if (r.get("failed") > 0) {
            throw new IllegalStateException(what + ": " + r.get("failed").longValue() + " transfers failed");
        }
        List<Double> ratios = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("BLOCKS")) {
                for (String x : l.substring("BLOCKS".length()).trim().split(" ")) {
                    if (!x.isEmpty()) {
                        ratios.add(Double.parseDouble(x));
                    }
                }
            }
        }
        PairedMeasurement m = new PairedMeasurement(a, b, t, r.get("aTx").longValue(), r.get("aSeconds"), r.get("bTx").longValue(),
                r.get("bSeconds"), ratios);
        System.out.printf(Locale.ROOT, "%s: %,.0f against %,.0f tx/s, %+.1f %% lost (median block %+.1f %%)%n", what, m.aPerSecond(), m.bPerSecond(),
                m.lostPercent(), m.blockLossQuantile(0.5));
        return m;
    }

    /** Fails unless every committed transfer of a database child ({@code all}) arrived on PostgreSQL ({@code moved}). */
    private static void requireMoneyArrived(String what, Map<String, Double> r) {
        if (!r.get("moved").equals(r.get("all"))) {
            throw new IllegalStateException(what + ": " + r.get("all").longValue() + " transfers committed but " + r.get("moved").longValue()
                    + " arrived on PostgreSQL");
        }
    }

    /** What ran it: cores, file system of the logs, JVM, and the load average when the run started and ended. */
    private String machine(String loadAtStart) throws IOException {
        FileStore store = Files.getFileStore(Files.createDirectories(work));
        return String.format(Locale.ROOT, "Machine: %d cores, logs on %s (%s), %s %s, %s; load average (1/5/15 min) %s at the start, %s at the end;"
                + " %d rounds of %.1f s (after %.1f s warm-up, %.1f s for the database workload) per cell, medians shown.%n",
                Runtime.getRuntime().availableProcessors(), store.name(),
                store.type(), System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getProperty("os.name"), loadAtStart,
                loadAverage(), rounds, measure, warmup, dbWarmup);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private Measurement measurement(String manager, int t, int round, Map<String, Double> r) {
        double tx = r.get("tx");
        double syncs;
        if (r.containsKey("syncs") && r.get("all") > 0) {
            syncs = r.get("syncs") / r.get("all");
        } else {
            syncs = r.get("forces") < 0 || tx == 0 ? -1 : r.get("forces") / tx;
        }
        Measurement m = new Measurement(manager, t, round, tx / r.get("seconds"), r.get("p50us"), r.get("p99us"), syncs,
                r.getOrDefault("cpuus", -1.0), r.getOrDefault("idlepct", -1.0));
        System.out.printf(Locale.ROOT, "round %d %-20s %3d threads: %,10.0f tx/s  p50 %8.0f µs  p99 %8.0f µs%s%s%n", round, manager, t,
                m.txPerSecond(), m.p50us(), m.p99us(), syncs < 0 ? "" : String.format(Locale.ROOT, "  %.2f syncs/tx", syncs),
                r.get("failed") > 0 ? "  (" + r.get("failed").longValue() + " failed)" : "");
        return m;
    }

    private void extras(ChildJvm jvm, StringBuilder md) throws Exception {
        List<String> heap = jvm.lines("heap", HeapCheck.class, String.valueOf(heapTransactions), dir("heap").toString());
        md.append("\nHeap used after a full GC while Pledge ran ").append(String.format(Locale.ROOT, "%,d", heapTransactions))
                .append(" transactions (16 threads, durable log):\n\n| transactions | heap used |\n|---:|---:|\n");
        Pattern heapLine = Pattern.compile("HEAP tx=(\\d+) usedBytes=(\\d+)");
        for (String l : heap) {
            Matcher m = heapLine.matcher(l);
            if (m.find()) {
                md.append(String.format(Locale.ROOT, "| %,d | %.1f MiB |%n", Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) / 1048576.0));
            }
        }
        md.append("\nLock + commit throughput (one exclusive lock on a random key of 1,000 per transaction, 16 threads):\n\n")
                .append("| backend | tx/s |\n|---|---:|\n");
        for (String backend : List.of("in-process", "zookeeper")) {
            Map<String, Double> r = jvm.result("lock " + backend, LockThroughput.class, backend, "16", String.valueOf(measure),
                    dir("lock-" + backend).toString());
            md.append(String.format(Locale.ROOT, "| %s | %,.0f |%n", backend, r.get("tx") / r.get("seconds")));
        }
    }

    private Path dir(String name) throws IOException {
        Path d = work.resolve(name);
        if (Files.exists(d)) {
            try (var s = Files.walk(d)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(d);
    }
}
