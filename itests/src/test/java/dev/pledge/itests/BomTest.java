package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BOM names every artifact Pledge publishes, so that an application that imports it can declare any of them without a version. */
class BomTest {
    private static final Set<String> NOT_PUBLISHED = Set.of("pledge-itests", "pledge-bench", "pledge-docs-check", "pledge-bom", "pledge-sample-shop-war");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @Test
    void theBomListsEveryPublishedModuleOfTheBuild() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Set<String> published = new TreeSet<>();
        collect(root, published);
        assertTrue(published.contains("pledge-tm-core"), "found the modules: " + published);
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        List<String> missing = new ArrayList<>();
        for (String artifact : published) {
            if (!bom.contains("<artifactId>" + artifact + "</artifactId>")) {
                missing.add(artifact);
            }
        }
        assertEquals(List.of(), missing, "published modules missing from bom/pom.xml");
    }

    /** Adds the artifactId of every jar module under {@code dir} (recursing into aggregators) that is published. */
    private static void collect(Path dir, Set<String> published) throws Exception {
        String pom = Files.readString(dir.resolve("pom.xml"));
        Matcher modules = MODULE.matcher(pom);
        boolean aggregator = false;
        while (modules.find()) {
            aggregator = true;
            collect(dir.resolve(modules.group(1).trim()), published);
        }
        if (aggregator || pom.contains("<packaging>pom</packaging>")) {
            return;
        }
        Matcher id = Pattern.compile("</parent>\\s*(?:<!--.*?-->\\s*)*<artifactId>([^<]+)</artifactId>", Pattern.DOTALL).matcher(pom);
        if (id.find() && !NOT_PUBLISHED.contains(id.group(1))) {
            published.add(id.group(1));
        }
    }
}
