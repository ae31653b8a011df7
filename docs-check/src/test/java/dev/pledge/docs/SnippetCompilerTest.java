package dev.pledge.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the docs check reads pages, wraps fragments and reports errors, on pages written here. */
class SnippetCompilerTest {
    private static final Path PAGE = Path.of("docs", "page.md");
    private static String classPath;

    @TempDir
    Path classes;

    @BeforeAll
    static void classPath() throws Exception {
        classPath = DocsSnippetsTest.snippetClassPath();
    }

    private List<String> errors(String... pageLines) throws Exception {
        return new SnippetCompiler(classPath, classes).errors(MarkdownSnippets.in(PAGE, List.of(pageLines)));
    }

    @Test
    void aSnippetThatDoesNotCompileIsReportedAtItsPageLineWithTheCompilersMessage() throws Exception {
        List<String> errors = errors(
                "# Title",
                "",
                "```java",
                "TransactionService svc = TransactionService.builder()",
                "        .nodeNam(\"a\")",
                "        .build();",
                "```");
        assertEquals(1, errors.size(), String.valueOf(errors));
        String error = errors.get(0);
        assertTrue(error.startsWith("docs/page.md:5: cannot find symbol"), error);
        assertTrue(error.contains(".nodeNam(\"a\")") && error.contains("block opening at docs/page.md:3"), error);
    }

    @Test
    void givenVariablesMethodsAndImportsLetAFragmentUseWhatItDoesNotDeclare() throws Exception {
        String[] fragment = {
                "```java",
                "import org.h2.jdbcx.JdbcDataSource;",
                "",
                "JdbcDataSource h2 = new JdbcDataSource();",
                "svc.recovery().register(\"orders-db\", this::openOrders);",
                "ActiveMQXAConnectionFactory broker = null;",
                "```"};
        String comment = "<!-- snippet: given=TransactionService svc, XAResource openOrders(); "
                + "imports=org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory -->";
        assertEquals(List.of(), errors(concat(comment, fragment)));
        List<String> without = errors(fragment);
        assertTrue(without.stream().anyMatch(e -> e.startsWith("docs/page.md:5: cannot find symbol") && e.contains("variable svc")), String.valueOf(without));
    }

    @Test
    void anEllipsisStandsForTheReadersCodeWhileVarargsStayJava() throws Exception {
        assertEquals(List.of(), errors(
                "<!-- snippet: wrap=class -->",
                "```java",
                "void log(String... parts) { ... }",
                "void run() {",
                "    ...",
                "    log(\"a\", \"b\");",
                "}",
                "```"));
    }

    @Test
    void aBlockThatStartsWithAnAnnotationIsCompiledAsAClassBody() throws Exception {
        assertEquals(List.of(), errors(
                "```java",
                "@Transactional",
                "public void pay(long orderId) { ... }",
                "",
                "private final Map<Long, String> names = new HashMap<>();",
                "```"));
    }

    @Test
    void aWholeSourceFileKeepsItsImportsAndItsPublicClassName() throws Exception {
        assertEquals(List.of(), errors(
                "```java",
                "import org.h2.jdbcx.JdbcDataSource;",
                "",
                "public class Shop {",
                "    JdbcDataSource db = new JdbcDataSource();",
                "}",
                "```"));
    }

    @Test
    void blocksInOtherLanguagesAreNotCompiled() {
        List<Snippet> snippets = MarkdownSnippets.in(PAGE, List.of(
                "```", "not java", "```",
                "```xml", "<dependency/>", "```",
                "```properties", "pledge.nodeName=a", "```",
                "    ```java", "    int indented = 1;", "    ```"));
        assertEquals(1, snippets.size(), String.valueOf(snippets));
        assertEquals(List.of("int indented = 1;"), snippets.get(0).lines());
        assertEquals(11, snippets.get(0).firstLine());
    }

    @Test
    void aMistakeInTheWrappersGivenVariablesIsReportedAtTheFenceNamingTheComment() throws Exception {
        List<String> errors = errors(
                "<!-- snippet: given=NoSuchType svc -->",
                "```java",
                "svc.toString();",
                "```");
        assertTrue(errors.size() >= 1 && errors.get(0).startsWith("docs/page.md:2: cannot find symbol")
                && errors.get(0).contains("<!-- snippet: given="), String.valueOf(errors));
    }

    @Test
    void anUnknownSnippetOptionIsRefusedNamingTheCommentsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MarkdownSnippets.in(PAGE, List.of(
                "text", "<!-- snippet: givn=TransactionService svc -->", "```java", "svc.close();", "```")));
        assertEquals("docs/page.md:2: unknown snippet option 'givn': expected given, imports or wrap", e.getMessage());
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
