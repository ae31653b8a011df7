package dev.pledge.xa.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a test main class in a new JVM on the test class path. */
final class ChildJvm {
    private ChildJvm() {
    }

    record Result(int exitCode, String output) {
    }

    static Process start(Path outputFile, Class<?> main, String... args) throws IOException {
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
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outputFile.toFile()).start();
    }

    static Result await(Process p, Path outputFile, long timeoutSeconds) throws IOException, InterruptedException {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child JVM did not finish within " + timeoutSeconds + " s; output:\n" + Files.readString(outputFile));
        }
        return new Result(p.exitValue(), Files.readString(outputFile));
    }

    static Result run(Path outputFile, long timeoutSeconds, Class<?> main, String... args) throws IOException, InterruptedException {
        return await(start(outputFile, main, args), outputFile, timeoutSeconds);
    }
}
