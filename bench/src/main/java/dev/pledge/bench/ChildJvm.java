package dev.pledge.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts one child JVM per measurement (same heap, same GC for all) and reads its {@code RESULT}
 * line. When {@code perf} can count syscall tracepoints, the child runs under
 * {@code perf stat -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync}: the kernel counts every
 * sync of every thread of the process, with no tracing stop, so the figure is the same kind for
 * every manager and costs nothing measurable. The count is returned as {@code syncs}.
 */
final class ChildJvm {
    private static final Pattern KV = Pattern.compile("(\\w+)=(-?[\\d.]+)");
    private static final String EVENTS = "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync";
    private final boolean perf;
    private final List<String> jvmArgs;

    ChildJvm(List<String> jvmArgs) {
        this.perf = perfCountsSyscalls();
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** Whether sync counts come from the kernel (perf) for every child. */
    boolean countsSyncs() {
        return perf;
    }

    /** Runs {@code main} and returns its RESULT key/values, plus {@code syncs} when perf counted them. */
    Map<String, Double> result(String what, Class<?> main, String... args) throws Exception {
        Path counts = Files.createTempFile("bench-perf-", ".csv");
        try {
            Map<String, Double> kv = resultValues(what, lines(what, counts, main, args));
            if (perf) {
                kv.put("syncs", (double) syncs(counts));
            }
            return kv;
        } finally {
            Files.deleteIfExists(counts);
        }
    }

    /** The key/values of every {@code RESULT} line a child printed (its {@code FAILURE} lines are echoed); fails if there is none. */
    static Map<String, Double> resultValues(String what, List<String> lines) {
        Map<String, Double> kv = null;
        for (String l : lines) {
            if (l.startsWith("FAILURE ")) {
                System.out.println(what + ": " + l);
            }
            if (l.startsWith("RESULT ")) {
                kv = kv == null ? new LinkedHashMap<>() : kv;
                Matcher m = KV.matcher(l);
                while (m.find()) {
                    kv.put(m.group(1), Double.parseDouble(m.group(2)));
                }
            }
        }
        if (kv == null) {
            throw new IllegalStateException(what + " printed no RESULT line");
        }
        return kv;
    }

    /** Runs {@code main} and returns everything it printed. */
    List<String> lines(String what, Class<?> main, String... args) throws Exception {
        return lines(what, null, main, args);
    }

    private List<String> lines(String what, Path perfOut, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (perfOut != null && perf) {
            cmd.addAll(List.of("perf", "stat", "-x,", "-o", perfOut.toString(), "-e", EVENTS, "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classPath(), main.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("bench-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in 20 minutes:\n" + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "):\n" + Files.readString(log));
            }
            return Files.readAllLines(log);
        } finally {
            Files.delete(log);
        }
    }

    /** Sum of the counters in a {@code perf stat -x,} output file (first field of each counter line). */
    static long syncs(Path perfOut) throws IOException {
        long total = 0;
        for (String l : Files.readAllLines(perfOut)) {
            String[] f = l.split(",");
            if (f.length > 2 && f[2].startsWith("syscalls:")) {
                if (!f[0].matches("\\d+")) {
                    throw new IllegalStateException("perf did not count " + f[2] + ": " + l);
                }
                total += Long.parseLong(f[0]);
            }
        }
        return total;
    }

    private static boolean perfCountsSyscalls() {
        try {
            Process p = new ProcessBuilder("perf", "stat", "-x,", "-e", EVENTS, "--", "true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.contains("syscalls:sys_enter_fdatasync") && !out.contains("<not");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String classPath() throws IOException {
        Path file = Path.of("bench/target/bench-classpath.txt");
        return Files.exists(file) ? "bench/target/classes" + File.pathSeparator + Files.readString(file).trim()
                : System.getProperty("java.class.path");
    }
}
