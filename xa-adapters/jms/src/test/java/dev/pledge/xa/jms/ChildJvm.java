package dev.pledge.xa.jms;

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

    static ProcessBuilder builder(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        String claims = System.getProperty("pledge.nodeLockDirectory"); // where the node-name claims live: same as this JVM's
        if (claims != null) {
            cmd.add("-Dpledge.nodeLockDirectory=" + claims);
        }
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    static Result run(Path outputFile, long timeoutSeconds, Class<?> main, String... args) throws IOException, InterruptedException {
        Process p = builder(main, args).redirectOutput(outputFile.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child JVM " + main.getSimpleName() + " did not finish within " + timeoutSeconds + " s; output:\n"
                    + Files.readString(outputFile));
        }
        return new Result(p.exitValue(), Files.readString(outputFile));
    }
}
