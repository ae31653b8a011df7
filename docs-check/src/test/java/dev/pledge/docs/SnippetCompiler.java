package dev.pledge.docs;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles snippets with the JDK's compiler against a class path, all in one compilation, and reports
 * each error at the page line it comes from: {@code docs/jdbc.md:12: cannot find symbol ...}.
 */
final class SnippetCompiler {
    private final String classPath;
    private final Path outputDirectory;

    /** {@code classPath} in the platform's path format; class files go to {@code outputDirectory}. */
    SnippetCompiler(String classPath, Path outputDirectory) {
        this.classPath = classPath;
        this.outputDirectory = outputDirectory;
    }

    /** The errors of compiling {@code snippets}, one message each naming the page and line; empty when all compile. */
    List<String> errors(List<Snippet> snippets) throws Exception {
        List<String> errors = new ArrayList<>();
        List<SnippetUnit> units = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            try {
                units.add(SnippetUnit.of(snippets.get(i), i));
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (units.isEmpty()) {
            return errors;
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: run the build on a JDK, not a JRE");
        }
        Files.createDirectories(outputDirectory);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("-proc:none", "-implicit:none", "-Xlint:none", "-Xmaxerrs", "1000",
                    "-classpath", classPath, "-d", outputDirectory.toString());
            compiler.getTask(output, files, diagnostics, options, null, units).call();
        }
        diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .sorted(Comparator.comparing((Diagnostic<? extends JavaFileObject> d) -> pageOrder(d))
                        .thenComparingLong(Diagnostic::getLineNumber))
                .forEach(d -> errors.add(describe(d)));
        if (errors.isEmpty() && !output.toString().isBlank() && output.toString().contains("error")) {
            errors.add("the compiler failed without a diagnostic: " + output);
        }
        return errors;
    }

    /** Errors in page order: the page, then where its snippet starts. */
    private static String pageOrder(Diagnostic<? extends JavaFileObject> d) {
        if (d.getSource() instanceof SnippetUnit unit) {
            return unit.snippet().file() + String.format(":%08d", unit.snippet().firstLine());
        }
        return "";
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d) {
        String message = d.getMessage(Locale.ROOT);
        if (!(d.getSource() instanceof SnippetUnit unit)) {
            return (d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ") + message;
        }
        Snippet snippet = unit.snippet();
        int pageLine = unit.pageLine(d.getLineNumber());
        if (pageLine > 0) {
            String code = snippet.lines().get(pageLine - snippet.firstLine()).strip();
            return snippet.where(pageLine) + ": " + message + "\n        " + code
                    + "\n    (in the ```java block opening at " + snippet.where(snippet.firstLine() - 1) + ")";
        }
        String generated = d.getLineNumber() > 0 ? unit.source().lines().skip(d.getLineNumber() - 1).findFirst().orElse("") : "";
        return snippet.where(snippet.firstLine() - 1) + ": " + message + "\n        " + generated.strip()
                + "\n    (in the wrapper this ```java block gets: check its <!-- snippet: given=...; imports=... --> comment"
                + " and the default imports " + SnippetUnit.DEFAULT_IMPORTS + ")";
    }
}
