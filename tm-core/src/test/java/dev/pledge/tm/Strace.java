package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a test main class in a new JVM under strace, following every thread, and returns what strace wrote. */
final class Strace {
    static final Path STRACE = Path.of("/usr/bin/strace");

    private Strace() {
    }

    /**
     * @param options strace options besides {@code -f -o}, e.g. {@code -c} for a summary or {@code -y} for file names
     * @param syscalls the {@code -e trace=} list
     */
    static String run(Path dir, List<String> options, String syscalls, Class<?> main, String... args) throws Exception {
        assertTrue(Files.isExecutable(STRACE),
                "this test needs strace (" + STRACE + "): install it with 'apt-get install strace' (.ci/run does)");
        Files.createDirectories(dir);
        Path out = dir.resolve("strace.txt");
        List<String> cmd = new ArrayList<>(List.of(STRACE.toString(), "-f", "-o", out.toString()));
        cmd.addAll(options);
        cmd.addAll(List.of("-e", "trace=" + syscalls, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(dir.resolve("out")));
        return Files.readString(out);
    }
}
