package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curator and ZooKeeper are optional dependencies of pledge-xa-lock: an application that uses only the
 * in-process backend does not have them. This runs that backend in a JVM whose class path is this
 * test's without Curator, ZooKeeper, Netty and their helpers, so that a reference to a Curator class on
 * the in-process path (a field, a signature the verifier has to load, a static initializer) fails here.
 */
class InProcessWithoutCuratorTest {
    private static final Pattern ZOOKEEPER_JARS = Pattern.compile(
            ".*[/\\\\](org[/\\\\]apache[/\\\\](curator|zookeeper|yetus)|io[/\\\\]netty|com[/\\\\]google[/\\\\]guava|commons-io)[/\\\\].*");

    @TempDir
    Path dir;

    @Test
    void theInProcessBackendRunsWithoutCuratorOnTheClassPath() throws Exception {
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (ZOOKEEPER_JARS.matcher(entry).matches() ? dropped : kept).add(entry);
        }
        assertTrue(dropped.stream().anyMatch(e -> e.contains("curator-framework")), "expected Curator on the test class path: " + dropped);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC"));
        String claims = System.getProperty("pledge.nodeLockDirectory"); // where the node-name claims live: same as this JVM's
        if (claims != null) {
            cmd.add("-Dpledge.nodeLockDirectory=" + claims);
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, kept), InProcessWithoutCuratorChild.class.getName(), dir.toString()));
        Path out = dir.resolve("child.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        assertEquals(0, p.exitValue(), "child JVM without " + dropped.stream().map(e -> Path.of(e).getFileName().toString())
                .collect(Collectors.joining(", ")) + ":\n" + output);
        assertTrue(output.contains("IN-PROCESS OK"), output);
    }
}
