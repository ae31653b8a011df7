package dev.pledge.docs;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.SimpleJavaFileObject;

/**
 * A snippet made into a compilation unit in a package of its own ({@code docsnippets.s<n>}), with the
 * page line of each generated line so that the compiler's errors can name the page's lines.
 *
 * <p>A snippet with a top-level type is a whole file; one whose first line starts with an annotation or an
 * access modifier a class body; any other a method body (unless its options say otherwise).
 * A statement snippet becomes the body of {@code void snippet(given...) throws Exception} in a class
 * {@code Snippet}; a class-body snippet the body of that class, its given variables fields. Import lines
 * at the top of a snippet stay imports. A {@code ...} that stands for the reader's own code (not a varargs
 * {@code String...}) is blanked out.
 */
final class SnippetUnit extends SimpleJavaFileObject {
    /** What every snippet may use without importing it. */
    static final List<String> DEFAULT_IMPORTS = List.of(
            "java.nio.file.*", "java.time.*", "java.util.*", "javax.sql.*", "javax.transaction.xa.*",
            "jakarta.transaction.*", "dev.pledge.tm.*", "dev.pledge.xa.jdbc.*", "dev.pledge.xa.jms.*",
            "dev.pledge.xa.lock.*");

    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "^(?:@[\\w.]+(?:\\(.*\\))?\\s+)*(?:(?:public|abstract|final|sealed|non-sealed|static)\\s+)*"
                    + "(?:class|interface|enum|record|@interface)\\s+([A-Z]\\w*)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^(?:@[\\w.]+(?:\\(.*\\))?\\s+)*public\\s+(?:(?:abstract|final|sealed|non-sealed|static)\\s+)*"
                    + "(?:class|interface|enum|record|@interface)\\s+([A-Z]\\w*)");
    private static final Pattern ELLIPSIS = Pattern.compile("(?<![\\w\\])>.])\\.\\.\\.(?!\\.)");
    private static final Pattern GIVEN_METHOD = Pattern.compile("(.*\\S)\\s+(\\w+)\\s*\\((.*)\\)");
    private static final Pattern MEMBER_START = Pattern.compile("@\\w|(public|protected|private)\\s");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*$");

    private final Snippet snippet;
    private final String source;
    private final int[] pageLines;

    private SnippetUnit(Snippet snippet, String packageName, String typeName, String source, int[] pageLines) {
        super(URI.create("string:///" + packageName.replace('.', '/') + "/" + typeName + Kind.SOURCE.extension), Kind.SOURCE);
        this.snippet = snippet;
        this.source = source;
        this.pageLines = pageLines;
    }

    /** Wraps {@code snippet} as its options (or its code) say, in package {@code docsnippets.s<index>}. */
    static SnippetUnit of(Snippet snippet, int index) {
        String packageName = "docsnippets.s" + index;
        SnippetOptions.Wrap wrap = snippet.options().wrap() != null ? snippet.options().wrap() : guess(snippet.lines());
        Lines out = new Lines();
        List<String> code = snippet.lines();
        int packageLine = packageLine(code);
        String unitPackage = packageLine < 0 ? packageName
                : code.get(packageLine).substring("package ".length()).replace(";", "").trim();
        out.add("package " + unitPackage + ";", packageLine < 0 ? 0 : snippet.firstLine() + packageLine);
        for (String imported : DEFAULT_IMPORTS) {
            out.add("import " + imported + ";", 0);
        }
        for (String imported : snippet.options().imports()) {
            out.add("import " + imported + ";", 0);
        }
        int body = 0;
        if (wrap != SnippetOptions.Wrap.UNIT) {
            while (body < code.size() && (code.get(body).isBlank() || IMPORT.matcher(code.get(body)).matches())) {
                out.add(code.get(body), snippet.firstLine() + body);
                body++;
            }
        }
        String typeName = "Snippet";
        switch (wrap) {
            case METHOD -> {
                out.add("abstract class Snippet {", 0);
                givenMethods(snippet, out);
                out.add("    void snippet(" + String.join(", ", givenVariables(snippet)) + ") throws Exception {", 0);
            }
            case CLASS -> {
                out.add("abstract class Snippet {", 0);
                givenMethods(snippet, out);
                for (String given : givenVariables(snippet)) {
                    out.add("    " + given + ";", 0);
                }
            }
            case UNIT -> {
                typeName = publicType(code);
                if (!snippet.options().given().isEmpty()) {
                    throw new IllegalArgumentException(snippet.where(snippet.firstLine() - 1)
                            + ": given=" + snippet.options().given() + " cannot apply to a whole source file (wrap=unit)");
                }
            }
        }
        for (int i = body; i < code.size(); i++) {
            String line = ELLIPSIS.matcher(code.get(i)).replaceAll("   ");
            out.add(i == packageLine ? "" : line, snippet.firstLine() + i);
        }
        switch (wrap) {
            case METHOD -> {
                out.add("    }", 0);
                out.add("}", 0);
            }
            case CLASS -> out.add("}", 0);
            case UNIT -> {
            }
        }
        return new SnippetUnit(snippet, unitPackage, typeName, out.text(), out.pageLines());
    }

    /** A given {@code Type name(ParamType, ...)} becomes an abstract method of the wrapper, for {@code this::name}. */
    private static void givenMethods(Snippet snippet, Lines out) {
        for (String given : snippet.options().given()) {
            Matcher method = GIVEN_METHOD.matcher(given);
            if (method.matches()) {
                List<String> parameters = new ArrayList<>();
                for (String type : method.group(3).split(",")) {
                    if (!type.isBlank()) {
                        parameters.add(type.trim() + " p" + parameters.size());
                    }
                }
                out.add("    abstract " + method.group(1) + " " + method.group(2) + "(" + String.join(", ", parameters)
                        + ");", 0);
            }
        }
    }

    private static List<String> givenVariables(Snippet snippet) {
        return snippet.options().given().stream().filter(g -> !GIVEN_METHOD.matcher(g).matches()).toList();
    }

    /**
     * A whole file when a line declares a top-level type; a class body when the first code line starts
     * with an annotation or an access modifier (no statement does); else a method body.
     */
    private static SnippetOptions.Wrap guess(List<String> code) {
        for (String line : code) {
            if (TOP_LEVEL_TYPE.matcher(line).find() || line.startsWith("package ")) {
                return SnippetOptions.Wrap.UNIT;
            }
        }
        for (String line : code) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("//") || IMPORT.matcher(trimmed).matches()) {
                continue;
            }
            return MEMBER_START.matcher(trimmed).lookingAt() ? SnippetOptions.Wrap.CLASS : SnippetOptions.Wrap.METHOD;
        }
        return SnippetOptions.Wrap.METHOD;
    }

    private static String publicType(List<String> code) {
        for (String line : code) {
            Matcher type = PUBLIC_TYPE.matcher(line);
            if (type.find()) {
                return type.group(1);
            }
        }
        return "Snippet";
    }

    private static int packageLine(List<String> code) {
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i).startsWith("package ")) {
                return i;
            }
        }
        return -1;
    }

    Snippet snippet() {
        return snippet;
    }

    /** The page line that generated line {@code line} (1-based) came from, or 0 for a line the wrapper added. */
    int pageLine(long line) {
        return line >= 1 && line <= pageLines.length ? pageLines[(int) line - 1] : 0;
    }

    String source() {
        return source;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
    }

    /** Generated lines and, for each, the page line it came from. */
    private static final class Lines {
        private final StringBuilder text = new StringBuilder();
        private final List<Integer> pageLines = new ArrayList<>();

        void add(String line, int pageLine) {
            text.append(line).append('\n');
            pageLines.add(pageLine);
        }

        String text() {
            return text.toString();
        }

        int[] pageLines() {
            return pageLines.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
