package dev.pledge.tm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a test main class in a new JVM on the test class path and waits for it. */
final class ChildJvm {
    private ChildJvm() {
    }

    record Result(int exitCode, String output) {
    }

    static Result run(Path outputFile, long timeoutSeconds, Class<?> main, String... args) throws IOException, InterruptedException {
        return run(System.getProperty("java.class.path"), outputFile, timeoutSeconds, main, args);
    }

    /** Same, on the given class path. */
    static Result run(String classPath, Path outputFile, long timeoutSeconds, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return run(classPath, null, outputFile, timeoutSeconds, main, args);
    }

    /** Same, on the test class path, in {@code workingDirectory}. */
    static Result runIn(Path workingDirectory, Path outputFile, long timeoutSeconds, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return run(System.getProperty("java.class.path"), workingDirectory, outputFile, timeoutSeconds, main, args);
    }

    private static Result run(String classPath, Path workingDirectory, Path outputFile, long timeoutSeconds, Class<?> main, String... args)
            throws IOException, InterruptedException {
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
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outputFile.toFile());
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child JVM " + main.getSimpleName() + " " + String.join(" ", args) + " did not finish within "
                    + timeoutSeconds + " s; output:\n" + Files.readString(outputFile));
        }
        return new Result(p.exitValue(), Files.readString(outputFile));
    }
}
