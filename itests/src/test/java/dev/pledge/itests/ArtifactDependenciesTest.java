package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each published artifact brings only what its users need (issue 22): a JDBC-only application gets no
 * ZooKeeper, Curator, Netty, pooled-jms or JMS API; a JMS one no Agroal or Curator; a user of the
 * in-process lock service no ZooKeeper; and jee-integration forces none of the adapters.
 *
 * <p>Reads the runtime dependency list each module writes at build time (the parent pom binds
 * {@code dependency:list -DincludeScope=runtime} to generate-resources, output
 * {@code target/runtime-dependencies.txt}), so that no sibling module has to be installed. A dependency
 * marked {@code (optional)} there is not passed on to the artifact's users; "forced" below means not
 * optional, "anywhere" means not even optional.
 */
class ArtifactDependenciesTest {
    /** group:artifact:type[:classifier]:version:scope [(optional)] [-- module ...] */
    private static final Pattern LINE = Pattern.compile("^\\s+([^:\\s]+):([^:\\s]+):[^\\s]+?:([a-z]+)(\\s+\\(optional\\))?(\\s+--.*)?$");

    private static final String CURATOR = "org.apache.curator:";
    private static final String ZOOKEEPER = "org.apache.zookeeper:";
    private static final String NETTY = "io.netty:";
    private static final String POOLED_JMS = "org.messaginghub:";
    private static final String JMS_API = "jakarta.jms:";
    private static final String AGROAL = "io.agroal:";
    private static final String XA_JDBC = "dev.pledge:pledge-xa-jdbc";
    private static final String XA_JMS = "dev.pledge:pledge-xa-jms";
    private static final String XA_LOCK = "dev.pledge:pledge-xa-lock";
    private static final String XA_ADAPTERS = "dev.pledge:pledge-xa-adapters";

    record Dependency(String coordinates, String scope, boolean optional) {
    }

    @Test
    void tmCoreHasNoAdapterLibrary() throws Exception {
        List<Dependency> deps = dependencies("tm-core");
        assertNone("pledge-tm-core", forced(deps), CURATOR, ZOOKEEPER, NETTY, POOLED_JMS, JMS_API, AGROAL, "dev.pledge:");
    }

    @Test
    void xaJdbcHasNoZooKeeperNettyOrJms() throws Exception {
        List<Dependency> deps = dependencies("xa-adapters/jdbc");
        assertNone("pledge-xa-jdbc", deps, CURATOR, ZOOKEEPER, NETTY, POOLED_JMS, JMS_API, XA_JMS, XA_LOCK, XA_ADAPTERS);
        assertHas("pledge-xa-jdbc", forced(deps), "dev.pledge:pledge-tm-core", AGROAL);
    }

    @Test
    void xaJmsHasNoAgroalOrZooKeeper() throws Exception {
        List<Dependency> deps = dependencies("xa-adapters/jms");
        assertNone("pledge-xa-jms", deps, AGROAL, CURATOR, ZOOKEEPER, NETTY, XA_JDBC, XA_LOCK, XA_ADAPTERS);
        assertHas("pledge-xa-jms", forced(deps), "dev.pledge:pledge-tm-core", POOLED_JMS, JMS_API);
    }

    @Test
    void xaLockHasZooKeeperOnlyAsOptional() throws Exception {
        List<Dependency> deps = dependencies("xa-adapters/lock");
        assertNone("pledge-xa-lock", forced(deps), CURATOR, ZOOKEEPER, NETTY);
        assertNone("pledge-xa-lock", deps, AGROAL, POOLED_JMS, JMS_API, XA_JDBC, XA_JMS, XA_ADAPTERS);
        assertHas("pledge-xa-lock", forced(deps), "dev.pledge:pledge-tm-core");
        assertTrue(deps.stream().anyMatch(d -> d.optional() && d.coordinates().startsWith(CURATOR + "curator-framework")),
                "pledge-xa-lock should declare curator-framework as an optional dependency (the ZooKeeper backend): " + deps);
    }

    @Test
    void jeeIntegrationForcesNoAdapter() throws Exception {
        List<Dependency> deps = dependencies("jee-integration");
        assertNone("pledge-jee-integration", forced(deps), XA_JDBC, XA_JMS, XA_LOCK, XA_ADAPTERS, AGROAL, POOLED_JMS, JMS_API,
                CURATOR, ZOOKEEPER, NETTY);
        assertHas("pledge-jee-integration", forced(deps), "dev.pledge:pledge-tm-core");
    }

    @Test
    void theListsAreParsed() throws Exception {
        // a format change of dependency:list must not make every check above pass vacuously
        for (String module : List.of("tm-core", "xa-adapters/jdbc", "xa-adapters/jms", "xa-adapters/lock", "jee-integration")) {
            Path file = listOf(module);
            long lines = Files.readAllLines(file).stream().filter(l -> l.startsWith("   ") && !l.isBlank()).count();
            assertEquals(lines, dependencies(module).size(), "every dependency line of " + file + " is understood");
        }
    }

    private static List<Dependency> forced(List<Dependency> deps) {
        return deps.stream().filter(d -> !d.optional()).toList();
    }

    private static void assertNone(String artifact, List<Dependency> deps, String... forbidden) {
        List<Dependency> found = new ArrayList<>();
        for (Dependency d : deps) {
            for (String f : forbidden) {
                if (d.coordinates().startsWith(f)) {
                    found.add(d);
                }
            }
        }
        assertEquals(List.of(), found, artifact + " must not bring these to its users");
    }

    private static void assertHas(String artifact, List<Dependency> deps, String... needed) {
        for (String n : needed) {
            assertTrue(deps.stream().anyMatch(d -> d.coordinates().startsWith(n)), artifact + " should depend on " + n + ": " + deps);
        }
    }

    private static Path listOf(String module) {
        Path file = Path.of("..").toAbsolutePath().normalize().resolve(module).resolve("target/runtime-dependencies.txt");
        assertTrue(Files.isRegularFile(file), file + " is missing: build the module in the same reactor (mvn -pl itests -am test),"
                + " whose generate-resources phase writes it");
        return file;
    }

    private static List<Dependency> dependencies(String module) throws Exception {
        List<Dependency> deps = new ArrayList<>();
        for (String line : Files.readAllLines(listOf(module))) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                if (!Map.of("compile", 1, "runtime", 1).containsKey(m.group(3))) {
                    throw new AssertionError("unexpected scope in a runtime list: " + line);
                }
                deps.add(new Dependency(m.group(1) + ":" + m.group(2), m.group(3), m.group(4) != null));
            }
        }
        return deps;
    }
}
