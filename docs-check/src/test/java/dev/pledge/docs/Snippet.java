package dev.pledge.docs;

import java.nio.file.Path;
import java.util.List;

/**
 * One {@code ```java} block of a Markdown page: the page (relative to the repository root), the line of
 * its first code line (1-based), its code lines with the fence's indentation removed, and the options of
 * the {@code <!-- snippet: ... -->} comment just above the fence, if any.
 */
record Snippet(Path file, int firstLine, List<String> lines, SnippetOptions options) {
    Snippet {
        lines = List.copyOf(lines);
    }

    /** "docs/jdbc.md:12", the place to name in a failure. */
    String where(int line) {
        return file.toString().replace('\\', '/') + ":" + line;
    }
}
