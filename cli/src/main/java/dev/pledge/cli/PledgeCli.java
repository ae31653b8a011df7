package dev.pledge.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code pledge} command: one runnable jar for the demo and the operator's tools. */
@Command(name = "pledge", mixinStandardHelpOptions = true, version = "pledge 0.1.0-SNAPSHOT",
        description = "Pledge, a JTA/XA transaction manager: demo and operator tools.",
        subcommands = {DemoCommand.class, RecoverCommand.class, LogCommand.class, ClusterCommand.class})
public final class PledgeCli {

    @Option(names = "--verbose", description = "Show stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    private PledgeCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code; errors become one clear line unless --verbose. */
    static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        PledgeCli root = new PledgeCli();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            e.println("pledge: " + oneLine(ex) + (root.verbose ? "" : " (--verbose shows the stack trace)"));
            if (root.verbose) {
                ex.printStackTrace(e);
            }
            e.flush();
            return 1;
        });
        return cl.execute(args);
    }

    /** The error as one line: its message, or for an exception without one (a bug) its type and a plea to report it. */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getName() + " (an unexpected error: please report it with the output of --verbose)";
        }
        return firstLine(m);
    }

    /** Driver messages span lines; the first says what happened, the rest is detail for --verbose. */
    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String s = message.strip();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
