package dev.pledge.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a test main class in a new JVM on the test class path, its output going to a file. */
public final class ChildJvm {
    private ChildJvm() {
    }

    public static Process start(Path output, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        String claims = System.getProperty("pledge.nodeLockDirectory"); // where the node-name claims live: same as this JVM's
        if (claims != null) {
            cmd.add("-Dpledge.nodeLockDirectory=" + claims);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Waits until the child printed {@code line}; fails with its output if it exits or times out first. */
    public static void awaitLine(Process child, Path output, String line, int timeoutSeconds) throws IOException, InterruptedException {
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
        throw new AssertionError("child did not print '" + line + "' within " + timeoutSeconds + " s:\n" + Files.readString(output));
    }
}
