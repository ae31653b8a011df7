package dev.pledge.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the {@code ```java} blocks of the Markdown pages under a directory: every {@code *.md} outside
 * {@code target}, {@code node_modules} and hidden directories, so a new page is checked without being
 * listed anywhere.
 */
final class MarkdownSnippets {
    private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})\\s*([^`\\s]*).*$");
    private static final Pattern OPTIONS = Pattern.compile("^\\s*<!--\\s*snippet:(.*?)-->\\s*$");

    private MarkdownSnippets() {
    }

    /** The snippets of every page under {@code root}, pages in path order, each named relative to {@code root}. */
    static List<Snippet> under(Path root) throws IOException {
        List<Path> pages;
        try (Stream<Path> walk = Files.walk(root)) {
            pages = walk.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(p -> !skipped(root.relativize(p)))
                    .sorted()
                    .toList();
        }
        List<Snippet> snippets = new ArrayList<>();
        for (Path page : pages) {
            snippets.addAll(in(root.relativize(page), Files.readAllLines(page)));
        }
        return snippets;
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code ```java} blocks of one page's lines; {@code file} names the page in snippets and errors. */
    static List<Snippet> in(Path file, List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                i++;
                continue;
            }
            String indent = open.group(1);
            String fence = open.group(2);
            boolean java = open.group(3).equalsIgnoreCase("java");
            int fenceLine = i;
            List<String> code = new ArrayList<>();
            i++;
            while (i < lines.size() && !closes(lines.get(i), fence)) {
                code.add(unindent(lines.get(i), indent.length()));
                i++;
            }
            if (i == lines.size() && java) {
                throw new IllegalArgumentException(file + ":" + (fenceLine + 1) + ": the ```java block is never closed");
            }
            i++;
            if (java) {
                SnippetOptions options = optionsAbove(file, lines, fenceLine);
                snippets.add(new Snippet(file, fenceLine + 2, code, options));
            }
        }
        return snippets;
    }

    private static boolean closes(String line, String fence) {
        String trimmed = line.strip();
        return trimmed.length() >= fence.length() && trimmed.chars().allMatch(c -> c == fence.charAt(0));
    }

    private static String unindent(String line, int indent) {
        int cut = 0;
        while (cut < indent && cut < line.length() && line.charAt(cut) == ' ') {
            cut++;
        }
        return line.substring(cut);
    }

    /** The options of a {@code <!-- snippet: ... -->} comment on the last non-blank line above the fence. */
    private static SnippetOptions optionsAbove(Path file, List<String> lines, int fenceLine) {
        int j = fenceLine - 1;
        while (j >= 0 && lines.get(j).isBlank()) {
            j--;
        }
        if (j < 0) {
            return SnippetOptions.NONE;
        }
        Matcher options = OPTIONS.matcher(lines.get(j));
        if (!options.matches()) {
            return SnippetOptions.NONE;
        }
        return SnippetOptions.parse(options.group(1), file + ":" + (j + 1));
    }
}
