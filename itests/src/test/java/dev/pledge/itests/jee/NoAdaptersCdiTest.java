package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pledge-xa-jdbc and pledge-xa-jms are optional dependencies of pledge-jee-integration: a CDI
 * application without data sources or connection factories does not have them. This runs one
 * ({@link NoAdaptersApp}) in a JVM whose class path is this test's without the adapters and their
 * libraries, so that an eager reference from the extension's code path (no {@code pledge.datasource.*}
 * keys) to an adapter class fails here, and the class-loading log shows that a declared JMS
 * connection factory without pledge-xa-jms fails the deployment without loading the extension's JMS classes.
 */
class NoAdaptersCdiTest {
    private static final Pattern ADAPTERS = Pattern.compile(".*([/\\\\]xa-adapters[/\\\\]|pledge-xa-|[/\\\\]io[/\\\\]agroal[/\\\\]"
            + "|[/\\\\]org[/\\\\]messaginghub[/\\\\]|[/\\\\]jakarta[/\\\\]jms[/\\\\]|commons-pool2"
            + "|[/\\\\]org[/\\\\]apache[/\\\\](curator|zookeeper)[/\\\\]).*");

    @TempDir
    Path dir;

    @Test
    void aCdiApplicationRunsTransactionsWithoutTheJdbcAndJmsAdapters() throws Exception {
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (ADAPTERS.matcher(entry).matches() ? dropped : kept).add(entry);
        }
        assertTrue(dropped.stream().anyMatch(e -> e.contains("jdbc")) && dropped.stream().anyMatch(e -> e.contains("agroal")),
                "expected the adapters on the test class path: " + dropped);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info"));
        String claims = System.getProperty("pledge.nodeLockDirectory"); // where the node-name claims live: same as this JVM's
        if (claims != null) {
            cmd.add("-Dpledge.nodeLockDirectory=" + claims);
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, kept), NoAdaptersApp.class.getName(), "jee-no-adapters",
                dir.resolve("log").toString()));
        Path out = dir.resolve("child.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        assertEquals(0, p.exitValue(), "child JVM without " + dropped + ":\n" + output);
        assertTrue(output.contains("NO-ADAPTERS OK"), output);
        assertTrue(output.contains(" dev.pledge.jee.cdi.PledgeExtension "), "the class-loading log is in the output");
        for (String jmsOnly : List.of("dev.pledge.jee.cdi.ConnectionFactoryBeans", "dev.pledge.jee.naming.ConfiguredConnectionFactories")) {
            assertFalse(output.contains(" " + jmsOnly + " "), jmsOnly + " was loaded in a JVM without the JMS adapter");
        }
    }
}
