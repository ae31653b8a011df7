package dev.pledge.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the README, docs/*.md, bench/README.md and any other Markdown page of the
 * repository compiles against the published modules (issue 26), so that the docs show the API as it is.
 * CONTRIBUTING.md ("Java snippets in the docs") describes how fragments are wrapped.
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyJavaSnippetInTheDocsCompilesAgainstThePublishedModules() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve("README.md")) && Files.isDirectory(ROOT.resolve("docs")),
                "the repository root (README.md, docs/) is not " + ROOT + ": run this test from docs-check/");
        List<Snippet> snippets = MarkdownSnippets.under(ROOT);
        assertTrue(snippets.stream().anyMatch(s -> s.file().startsWith("docs")), "no ```java block found under " + ROOT.resolve("docs"));
        List<String> errors = new SnippetCompiler(snippetClassPath(), Path.of("target", "snippet-classes")).errors(snippets);
        System.out.println("compiled " + snippets.size() + " Java snippets from "
                + snippets.stream().map(Snippet::file).distinct().count() + " pages");
        assertEquals("", String.join("\n", errors),
                errors.size() + " error(s) in the docs' ```java blocks (fix the snippet to show the real API, or mark a block"
                        + " that is not Java with another language; CONTRIBUTING.md says how fragments are wrapped)");
    }

    /** The test class path Maven wrote at generate-test-resources (surefire's own is a manifest-only jar). */
    static String snippetClassPath() throws Exception {
        Path file = Path.of("target", "snippet-classpath.txt");
        assertTrue(Files.isRegularFile(file), file.toAbsolutePath() + " is missing: run the test through Maven"
                + " (mvn -pl docs-check -am test), whose dependency:build-classpath writes it");
        return Files.readString(file).strip();
    }
}
