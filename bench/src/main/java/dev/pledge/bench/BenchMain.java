package dev.pledge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs every manager in its own JVM, alternately (round 1: A B C D, round 2: A B C D, …) so that
 * machine drift hits all of them alike, plus the disk's fdatasync ceiling, a heap check and lock
 * throughput; writes {@code results.csv}, {@code results.md} and {@code throughput.svg}.
 */
@Command(name = "pledge-bench", mixinStandardHelpOptions = true)
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "bench/results")
    Path out;
    @Option(names = "--managers", split = ",", defaultValue = "pledge,narayana-journal,narayana-file,atomikos")
    List<String> managers;
    @Option(names = "--threads", split = ",", defaultValue = "1,4,16,64,256")
    List<Integer> threads;
    @Option(names = "--rounds", defaultValue = "2")
    int rounds;
    @Option(names = "--warmup", defaultValue = "3", description = "seconds")
    double warmup;
    @Option(names = "--measure", defaultValue = "6", description = "seconds")
    double measure;
    @Option(names = "--heap-transactions", defaultValue = "1000000")
    long heapTransactions;
    @Option(names = "--work", defaultValue = "bench/target/work", description = "where the logs go (same disk as the build)")
    Path work;

    private static final Pattern KV = Pattern.compile("(\\w+)=(-?[\\d.]+)");

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        List<Measurement> all = new ArrayList<>();
        double ceiling = 0;
        for (int round = 1; round <= rounds; round++) {
            Map<String, Double> disk = run("disk", DiskCeiling.class, String.valueOf(measure), dir("disk").toString());
            ceiling = Math.max(ceiling, disk.get("syncs") / disk.get("seconds"));
            System.out.printf(Locale.ROOT, "round %d: disk ceiling %.0f fdatasync/s%n", round, disk.get("syncs") / disk.get("seconds"));
            for (int t : threads) {
                for (String manager : managers) {
                    Map<String, Double> r = run(manager + " " + t, RunOne.class, manager, String.valueOf(t), String.valueOf(warmup),
                            String.valueOf(measure), dir(manager + "-" + t + "-" + round).toString());
                    double tx = r.get("tx");
                    double syncs = r.get("forces") < 0 || tx == 0 ? -1 : r.get("forces") / tx;
                    Measurement m = new Measurement(manager, t, round, tx / r.get("seconds"), r.get("p50us"), r.get("p99us"), syncs);
                    all.add(m);
                    System.out.printf(Locale.ROOT, "round %d %-17s %3d threads: %,10.0f tx/s  p50 %8.0f µs  p99 %8.0f µs%s%s%n", round, manager, t,
                            m.txPerSecond(), m.p50us(), m.p99us(), syncs < 0 ? "" : String.format(Locale.ROOT, "  %.2f syncs/tx", syncs),
                            r.get("failed") > 0 ? "  (" + r.get("failed").longValue() + " failed)" : "");
                }
            }
        }
        Files.writeString(out.resolve("results.csv"), Report.csv(all));
        Files.writeString(out.resolve("throughput.svg"), Report.svg(all));
        StringBuilder md = new StringBuilder(Report.markdown(all, ceiling));

        List<String> heap = lines("heap", HeapCheck.class, String.valueOf(heapTransactions), dir("heap").toString());
        md.append("\nHeap used after a full GC while Pledge ran ").append(String.format(Locale.ROOT, "%,d", heapTransactions))
                .append(" transactions (16 threads, durable log):\n\n| transactions | heap used |\n|---:|---:|\n");
        for (String l : heap) {
            Matcher m = Pattern.compile("HEAP tx=(\\d+) usedBytes=(\\d+)").matcher(l);
            if (m.find()) {
                md.append(String.format(Locale.ROOT, "| %,d | %.1f MiB |%n", Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) / 1048576.0));
            }
        }
        md.append("\nLock + commit throughput (one exclusive lock on a random key of 1,000 per transaction, 16 threads):\n\n")
                .append("| backend | tx/s |\n|---|---:|\n");
        for (String backend : List.of("in-process", "zookeeper")) {
            Map<String, Double> r = run("lock " + backend, LockThroughput.class, backend, "16", String.valueOf(measure), dir("lock-" + backend).toString());
            md.append(String.format(Locale.ROOT, "| %s | %,.0f |%n", backend, r.get("tx") / r.get("seconds")));
        }
        Files.writeString(out.resolve("results.md"), md.toString());
        System.out.println(md);
        return 0;
    }

    private Path dir(String name) throws IOException {
        Path d = work.resolve(name);
        if (Files.exists(d)) {
            try (var s = Files.walk(d)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(d);
    }

    private Map<String, Double> run(String what, Class<?> main, String... args) throws Exception {
        for (String l : lines(what, main, args)) {
            if (l.startsWith("RESULT ")) {
                Map<String, Double> kv = new LinkedHashMap<>();
                Matcher m = KV.matcher(l);
                while (m.find()) {
                    kv.put(m.group(1), Double.parseDouble(m.group(2)));
                }
                return kv;
            }
        }
        throw new IllegalStateException(what + " printed no RESULT line");
    }

    private List<String> lines(String what, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms1g", "-Xmx1g",
                "-XX:+UseParallelGC", "-cp", classPath(), main.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("bench-", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(what + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "):\n" + Files.readString(log));
        }
        List<String> lines = Files.readAllLines(log);
        Files.delete(log);
        return lines;
    }

    private static String classPath() throws IOException {
        String own = System.getProperty("java.class.path");
        Path file = Path.of("bench/target/bench-classpath.txt");
        return Files.exists(file) ? "bench/target/classes" + java.io.File.pathSeparator + Files.readString(file).trim() : own;
    }
}
