package dev.pledge.cli;

import dev.pledge.tm.RecoveryLog;
import dev.pledge.tm.RecoveryLog.ClusterStatus;
import dev.pledge.tm.RecoveryLog.NodeStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pledge cluster status}: the nodes sharing a database log, their leases, and who adopted whom. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Look at the nodes that share a database log.",
        subcommands = ClusterCommand.Status.class)
final class ClusterCommand {

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Lists the nodes of a database log: epoch, lease (by the database's clock), in-doubt decisions, heuristic"
                    + " outcomes, and the node that adopted each node whose lease ran out.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DatabaseLogOptions db;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if (!db.present()) {
                throw new ParameterException(spec.commandLine(), "name the database log: --jdbc-url (the file log has no cluster)");
            }
            ClusterStatus c = RecoveryLog.clusterStatus(db.dataSource(), db.tablePrefix);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.of(c));
                return 0;
            }
            out.printf("database log %s (tables %s*): %d node(s)%n", c.url(), db.tablePrefix, c.nodes().size());
            String format = "%-24s %-20s %6s %-10s %9s %10s  %s%n";
            out.printf(format, "NODE", "EPOCH", "STATE", "LEASE AGE", "IN DOUBT", "HEURISTIC", "ADOPTED BY");
            for (NodeStatus s : c.nodes()) {
                RecoveryLog.Node n = s.node();
                out.printf(format, LogCommand.printable(n.name()), n.epoch() < 0 ? "-" : Long.toString(n.epoch()), state(n),
                        n.leaseAge() == null ? "-" : age(n.leaseAge()), s.inDoubtDecisions(), s.heuristicOutcomes(),
                        n.adoptedBy() == null ? "-" : LogCommand.printable(n.adoptedBy()));
            }
            return 0;
        }

        /** {@code live} (its lease runs), {@code adopted} (a peer holds it), {@code expired} (nobody holds it), {@code no-row}. */
        static String state(RecoveryLog.Node n) {
            if (n.epoch() < 0) {
                return "no-row";
            }
            if (n.adoptedBy() != null) {
                return "adopted";
            }
            return n.live() ? "live" : "expired";
        }

        private static String age(Duration d) {
            return d.isNegative() ? "0s" : d.toMillis() < 10_000 ? String.format("%.1fs", d.toMillis() / 1000.0) : LogCommand.age(java.time.Instant.EPOCH,
                    java.time.Instant.EPOCH.plus(d));
        }
    }
}
