package dev.pledge.jee;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every key the CDI extension and the JNDI factories read: a key added
 * to {@link ServiceConfiguration#KEYS} without a row in the reference fails the build.
 */
class ConfigurationKeysDocumentedTest {
    @Test
    void everyServiceConfigurationKeyIsInTheConfigurationReference() throws Exception {
        Path page = Path.of("..", "docs", "configuration.md");
        assertTrue(Files.isRegularFile(page), "the configuration reference is missing: " + page.toAbsolutePath());
        String text = Files.readString(page);
        String jms = Files.readString(Path.of("..", "docs", "jms-and-bridge.md"));
        List<String> missing = ServiceConfiguration.KEYS.stream()
                .filter(key -> !text.contains("`" + ServiceConfiguration.PREFIX + key + "`"))
                .toList();
        assertTrue(missing.isEmpty(), "ServiceConfiguration keys missing from docs/configuration.md"
                + " (add a row `pledge.KEY` with its default): " + missing);
        for (String key : List.of("xa-class", "max-pool-size", "min-pool-size", "acquisition-timeout")) {
            assertTrue(text.contains("`" + ServiceConfiguration.PREFIX + ServiceConfiguration.DATASOURCE + "NAME." + key + "`"),
                    "data source key missing from docs/configuration.md: " + key);
        }
        for (String key : List.of("xa-factory-class", "max-connections", "max-sessions-per-connection")) {
            assertTrue(text.contains("`" + ServiceConfiguration.PREFIX + ServiceConfiguration.JMS + "NAME." + key + "`"),
                    "JMS connection factory key missing from docs/configuration.md: " + key);
            assertTrue(jms.contains(ServiceConfiguration.PREFIX + ServiceConfiguration.JMS) && jms.contains("." + key + "="),
                    "docs/jms-and-bridge.md shows no " + key);
        }
    }
}
