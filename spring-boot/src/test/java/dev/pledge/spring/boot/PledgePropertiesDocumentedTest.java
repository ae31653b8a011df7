package dev.pledge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every property of {@link PledgeProperties} by its full name (the maps
 * {@code pledge.datasources.NAME.*} by pattern), so a property added without a row fails the build.
 */
class PledgePropertiesDocumentedTest {
    @Test
    void everyPledgePropertyIsInTheConfigurationReference() throws Exception {
        Path page = Path.of("..", "docs", "configuration.md");
        assertTrue(Files.isRegularFile(page), "the configuration reference is missing: " + page.toAbsolutePath());
        String text = Files.readString(page);
        List<String> names = new ArrayList<>();
        collect(PledgeProperties.class, "pledge", names);
        assertTrue(names.contains("pledge.log.database.lease-duration"), "the walk reaches nested groups: " + names);
        List<String> missing = names.stream().filter(n -> !text.contains("`" + n + "`")).toList();
        assertEquals(List.of(), missing, "Spring Boot properties missing from docs/configuration.md (add a row with the full name and default)");
    }

    /** The property names of {@code type}'s getters under {@code prefix}, descending into nested groups of PledgeProperties. */
    private static void collect(Class<?> type, String prefix, List<String> names) {
        for (Method m : type.getMethods()) {
            String name = property(m);
            if (name == null || Map.class.isAssignableFrom(m.getReturnType())) {
                continue; // a map: documented as pledge.datasources.NAME.*
            }
            if (m.getReturnType().getEnclosingClass() == PledgeProperties.class) {
                collect(m.getReturnType(), prefix + "." + name, names);
            } else {
                names.add(prefix + "." + name);
            }
        }
    }

    /** {@code getMaxPoolSize} → {@code max-pool-size}; null for what is not a bean getter. */
    private static String property(Method m) {
        if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
            return null;
        }
        String n = m.getName();
        String bare = n.startsWith("get") ? n.substring(3) : n.startsWith("is") && m.getReturnType() == boolean.class ? n.substring(2) : null;
        if (bare == null || bare.isEmpty()) {
            return null;
        }
        return bare.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
