package dev.pledge.cli;

import dev.pledge.tm.RecoveryLog;
import dev.pledge.tm.RecoveryLog.Contents;
import dev.pledge.tm.RecoveryLog.DatabaseContents;
import dev.pledge.tm.Health;
import dev.pledge.tm.RecoveryLog.Heuristic;
import dev.pledge.tm.RecoveryLog.InDoubt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pledge log inspect|resolve}: look into a recovery log and resolve what needs a human. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Inspect a recovery log, or resolve a transaction in it by hand.",
        subcommands = {LogCommand.Inspect.class, LogCommand.Resolve.class})
final class LogCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Lists in-doubt and heuristic transactions with their branches, resources and age.")
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The recovery log directory (or give --jdbc-url).")
        Path dir;

        @Mixin
        DatabaseLogOptions db;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Instant now = Instant.now();
            if (oneLog(spec, dir, db)) {
                DatabaseContents c = RecoveryLog.inspect(db.dataSource(), db.tablePrefix);
                if (json) {
                    out.println(Json.of(c, now));
                    return 0;
                }
                out.printf("database log %s (tables %s*): %d node(s)%n", c.url(), db.tablePrefix, c.nodes().size());
                for (RecoveryLog.Node n : c.nodes()) {
                    out.printf("  node %s  epoch %d  %s%n", n.name(), n.epoch(), n.live() ? "live (lease until " + n.leaseExpires() + ")" : "not running");
                }
                printTransactions(out, c.inDoubt(), c.heuristics(), now);
                return 0;
            }
            Contents c = RecoveryLog.inspect(dir);
            if (json) {
                out.println(Json.of(c, now));
                return 0;
            }
            out.printf("recovery log %s: %d segment(s), %d bytes%n", printable(c.directory().toString()), c.segments().size(),
                    c.segments().stream().mapToLong(RecoveryLog.Segment::bytes).sum());
            printTransactions(out, c.inDoubt(), c.heuristics(), now);
            return 0;
        }

        private static void printTransactions(PrintWriter out, List<InDoubt> inDoubt, List<Heuristic> heuristics, Instant now) {
            out.printf("log: readable%n"); // a running service's health says "usable" or why not; offline, inspect can only read it
            out.printf("%s: %d%n", Health.IN_DOUBT_WORDS, inDoubt.size());
            for (InDoubt d : inDoubt) {
                out.printf("  %s  age %s  branches: %s%n", printable(d.gtrid()), age(d.decidedAt(), now),
                        printable(d.branches().stream().map(b -> b.resource() + "/" + b.bqual()).collect(Collectors.joining(", "))));
            }
            out.printf("%s: %d%n", Health.HEURISTIC_WORDS, heuristics.size());
            for (Heuristic h : heuristics) {
                out.printf("  %s  age %s  %s on %s/%s (decision was %s)%n", printable(h.gtrid()), age(h.at(), now), h.outcome(), printable(h.branch().resource()),
                        h.branch().bqual(), h.decision());
            }
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Records in the log that an operator resolved a heuristic or stuck transaction by hand. The service must be stopped.")
    static final class Resolve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "GTRID", description = "The transaction id as 'pledge log inspect' prints it.")
        String gtrid;

        @Option(names = "--log-dir", description = "The recovery log directory (or give --jdbc-url).")
        Path dir;

        @Mixin
        DatabaseLogOptions db;

        @ArgGroup(multiplicity = "1")
        Outcome outcome;

        static final class Outcome {
            @Option(names = "--commit", required = true, description = "The branches were committed by hand.")
            boolean commit;
            @Option(names = "--rollback", required = true, description = "The branches were rolled back by hand.")
            boolean rollback;
        }

        @Override
        public Integer call() throws Exception {
            spec.commandLine().getOut().println(oneLog(spec, dir, db)
                    ? RecoveryLog.resolve(db.dataSource(), db.tablePrefix, gtrid, outcome.commit)
                    : RecoveryLog.resolve(dir, gtrid, outcome.commit));
            return 0;
        }
    }

    /** True for a database log, false for a directory; a usage error unless exactly one of them is named. */
    static boolean oneLog(CommandSpec spec, Path dir, DatabaseLogOptions db) {
        if (dir != null && db.present()) {
            throw new ParameterException(spec.commandLine(), "name one recovery log: a directory or --jdbc-url, not both");
        }
        if (dir == null && !db.present()) {
            throw new ParameterException(spec.commandLine(), "name the recovery log: a directory or --jdbc-url");
        }
        return db.present();
    }

    static String age(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + d.toSecondsPart() + "s" : d.toSeconds() + "s";
    }

    /**
     * {@code text} with control characters (C0, DEL, C1) and bidirectional overrides written as
     * {@code \\uXXXX}: names in a log are data from whoever wrote it, and must not drive the terminal.
     */
    static String printable(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            boolean control = ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || (ch >= 0x202a && ch <= 0x202e) || (ch >= 0x2066 && ch <= 0x2069);
            if (control && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (control) {
                    sb.append(String.format("\\u%04x", (int) ch));
                } else {
                    sb.append(ch);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }
}
