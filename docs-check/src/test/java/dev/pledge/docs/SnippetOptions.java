package dev.pledge.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@code <!-- snippet: given=...; imports=...; wrap=... -->} comment above a {@code ```java} fence
 * says about the snippet below it.
 *
 * <ul>
 *   <li>{@code given}: variables the snippet uses without declaring them, as a parameter list
 *       ({@code TransactionService svc, XADataSource ordersXa}): they become the wrapping method's
 *       parameters, or fields when {@code wrap=class}; a method ({@code XAResource openOrdersXAResource()},
 *       parameter types only) becomes an abstract method of the wrapper, for {@code this::openOrdersXAResource}.</li>
 *   <li>{@code imports}: types or packages ({@code org.postgresql.ds.PGSimpleDataSource, jakarta.jms.*})
 *       imported besides the defaults and the snippet's own import lines.</li>
 *   <li>{@code wrap}: {@code method} (statements), {@code class} (fields and methods) or {@code unit}
 *       (a whole source file); without it, {@link SnippetUnit} decides from the code.</li>
 * </ul>
 *
 * @param wrap   how the snippet is wrapped, or null to decide from its code
 * @param given  the given variables, each a declaration such as {@code TransactionService svc}
 * @param imports what is imported, each without {@code import} and {@code ;}
 */
record SnippetOptions(Wrap wrap, List<String> given, List<String> imports) {
    static final SnippetOptions NONE = new SnippetOptions(null, List.of(), List.of());

    /** How a snippet becomes a compilation unit. */
    enum Wrap { METHOD, CLASS, UNIT }

    SnippetOptions {
        given = List.copyOf(given);
        imports = List.copyOf(imports);
    }

    /**
     * Parses the text between {@code snippet:} and {@code -->}; {@code where} (file:line) names the comment
     * in the error an unknown key or value gets.
     */
    static SnippetOptions parse(String text, String where) {
        Wrap wrap = null;
        List<String> given = new ArrayList<>();
        List<String> imports = new ArrayList<>();
        for (String clause : text.split(";")) {
            if (clause.isBlank()) {
                continue;
            }
            int eq = clause.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + ": snippet option '" + clause.trim()
                        + "' has no '=': expected given=..., imports=... or wrap=method|class|unit");
            }
            String key = clause.substring(0, eq).trim();
            String value = clause.substring(eq + 1).trim();
            switch (key) {
                case "given" -> given.addAll(splitTopLevel(value));
                case "imports" -> {
                    for (String imported : value.split(",")) {
                        if (!imported.isBlank()) {
                            imports.add(imported.trim());
                        }
                    }
                }
                case "wrap" -> {
                    try {
                        wrap = Wrap.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + ": snippet option wrap=" + value
                                + " is none of method, class, unit", e);
                    }
                }
                default -> throw new IllegalArgumentException(where + ": unknown snippet option '" + key
                        + "': expected given, imports or wrap");
            }
        }
        return new SnippetOptions(wrap, given, imports);
    }

    /** Splits {@code Map<String, Long> a, int b} at the commas outside angle brackets. */
    private static List<String> splitTopLevel(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(list.substring(start, i).trim());
                start = i + 1;
            }
        }
        parts.add(list.substring(start).trim());
        parts.removeIf(String::isEmpty);
        return parts;
    }
}
