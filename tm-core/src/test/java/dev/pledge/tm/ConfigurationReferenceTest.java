package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every public option of {@link TransactionService.Builder}: a public
 * builder method added without a row in the reference fails the build, so the page cannot drift
 * from the code.
 */
class ConfigurationReferenceTest {
    @Test
    void everyPublicBuilderMethodIsInTheConfigurationReference() throws Exception {
        Path page = Path.of("..", "docs", "configuration.md");
        assertTrue(Files.isRegularFile(page), "the configuration reference is missing: " + page.toAbsolutePath());
        String text = Files.readString(page);
        List<String> missing = Arrays.stream(TransactionService.Builder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic())
                .map(Method::getName)
                .distinct()
                .filter(name -> !text.contains("`" + name + "("))
                .sorted()
                .toList();
        assertTrue(missing.isEmpty(), "TransactionService.Builder options missing from docs/configuration.md"
                + " (add a row `name(...)` with its default): " + missing);
    }
}
