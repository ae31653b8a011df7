package dev.pledge.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program that opens docs/getting-started.md runs as written: in a JVM of its own, in an empty
 * directory, it exits normally and its row is committed in the H2 database it created there.
 */
class GettingStartedProgramTest {
    private static final Path PAGE = Path.of("docs", "getting-started.md");

    @TempDir
    Path dir;

    @Test
    void theGettingStartedProgramRunsAndCommitsItsRow() throws Exception {
        List<Snippet> snippets = MarkdownSnippets.in(PAGE, Files.readAllLines(Path.of("..").resolve(PAGE)));
        List<Snippet> program = snippets.stream()
                .filter(s -> s.lines().stream().anyMatch(l -> l.startsWith("public class GettingStarted")))
                .toList();
        assertEquals(1, program.size(), PAGE + " has no ```java block with 'public class GettingStarted'");
        String classPath = DocsSnippetsTest.snippetClassPath();
        Path classes = dir.resolve("classes");
        assertEquals(List.of(), new SnippetCompiler(classPath, classes).errors(program));
        Path work = Files.createDirectories(dir.resolve("work"));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String nodeLocks = System.getProperty("pledge.nodeLockDirectory");
        if (nodeLocks != null) {
            command.add("-Dpledge.nodeLockDirectory=" + Path.of(nodeLocks).toAbsolutePath());
        }
        command.addAll(List.of("-cp", classes + File.pathSeparator + classPath, "docsnippets.s0.GettingStarted"));
        Process java = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        boolean ended = java.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            java.destroyForcibly();
        }
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended, "GettingStarted did not end within 120 s:\n" + output);
        assertEquals(0, java.exitValue(), "GettingStarted's exit status; its output:\n" + output);

        assertTrue(Files.isDirectory(work.resolve("pledge-log")), "no pledge-log directory in " + work + ":\n" + output);
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + work.resolve("orders-db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select item from orders where id = 1")) {
            assertTrue(rs.next(), "no order 1 in " + work.resolve("orders-db") + ":\n" + output);
            assertEquals("coffee", rs.getString(1));
        }
    }
}
