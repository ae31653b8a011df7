package dev.pledge.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a main class in a new JVM on the test class path, its output going to a file (as itests' ChildJvm does). */
final class ChildJvm {
    private ChildJvm() {
    }

    static Process start(Path output, Class<?> main, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Waits until the child printed {@code line}; fails with its output if it exits or times out first. */
    static void awaitLine(Process child, Path output, String line, int timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (Files.readAllLines(output).contains(line)) {
                return;
            }
            if (!child.isAlive()) {
                throw new AssertionError("child exited (" + child.exitValue() + ") before printing '" + line + "':\n" + Files.readString(output));
            }
            Thread.sleep(50);
        }
        child.destroyForcibly();
        throw new AssertionError("child did not print '" + line + "' within " + timeoutSeconds + " s:\n" + Files.readString(output));
    }

    /** The child's output line starting with {@code prefix}, or null. */
    static String lineStartingWith(Path output, String prefix) throws IOException {
        return Files.readAllLines(output).stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }
}
