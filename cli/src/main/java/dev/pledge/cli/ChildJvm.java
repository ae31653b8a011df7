package dev.pledge.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a new JVM: the java of {@code java.home}, this JVM's class path, output to a file. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** How the child ended: its process id, exit status and everything it printed. */
    record Exit(long pid, int status, String output) {
    }

    static Exit run(Class<?> main, Path output, long timeoutSeconds, String... args) throws IOException, InterruptedException {
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
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("the child JVM " + main.getSimpleName() + " (pid " + p.pid() + ") did not finish within "
                    + timeoutSeconds + " s and was killed; its output is in " + output);
        }
        return new Exit(p.pid(), p.exitValue(), Files.readString(output));
    }
}
