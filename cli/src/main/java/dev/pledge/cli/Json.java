package dev.pledge.cli;

import dev.pledge.tm.RecoveryLog;
import dev.pledge.tm.RecoveryLog.Branch;
import dev.pledge.tm.RecoveryLog.Contents;
import dev.pledge.tm.RecoveryLog.DatabaseContents;
import dev.pledge.tm.RecoveryLog.Heuristic;
import dev.pledge.tm.RecoveryLog.InDoubt;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The JSON form of {@code pledge log inspect --json}. */
final class Json {
    private Json() {
    }

    static String of(Contents c, Instant now) {
        return "{\"directory\":" + str(c.directory().toString())
                + ",\"segments\":" + list(c.segments(), s -> "{\"name\":" + str(s.name()) + ",\"bytes\":" + s.bytes() + "}")
                + counts(c.inDoubt(), c.heuristics(), now) + "}";
    }

    static String of(DatabaseContents c, Instant now) {
        return "{\"url\":" + str(c.url())
                + ",\"nodes\":" + list(c.nodes(), n -> "{\"name\":" + str(n.name()) + ",\"epoch\":" + n.epoch() + ",\"live\":" + n.live()
                        + ",\"leaseExpires\":" + (n.leaseExpires() == null ? "null" : str(n.leaseExpires().toString())) + "}")
                + counts(c.inDoubt(), c.heuristics(), now) + "}";
    }

    static String of(RecoveryLog.ClusterStatus c) {
        return "{\"url\":" + str(c.url()) + ",\"nodes\":" + list(c.nodes(), s -> "{\"name\":" + str(s.node().name()) + ",\"epoch\":"
                + s.node().epoch() + ",\"state\":" + str(ClusterCommand.Status.state(s.node())) + ",\"live\":" + s.node().live()
                + ",\"leaseExpires\":" + (s.node().leaseExpires() == null ? "null" : str(s.node().leaseExpires().toString()))
                + ",\"leaseAgeMillis\":" + (s.node().leaseAge() == null ? "null" : Long.toString(s.node().leaseAge().toMillis()))
                + ",\"adoptedBy\":" + (s.node().adoptedBy() == null ? "null" : str(s.node().adoptedBy()))
                + ",\"inDoubtDecisions\":" + s.inDoubtDecisions() + ",\"heuristicOutcomes\":" + s.heuristicOutcomes() + "}") + "}";
    }

    /** The in-doubt and heuristic lists, and their counts under the names {@code Health} gives them (inDoubtDecisions, heuristicOutcomes). */
    private static String counts(List<InDoubt> inDoubt, List<Heuristic> heuristics, Instant now) {
        return ",\"inDoubtDecisions\":" + inDoubt.size() + ",\"heuristicOutcomes\":" + heuristics.size()
                + ",\"inDoubt\":" + list(inDoubt, d -> inDoubt(d, now)) + ",\"heuristics\":" + list(heuristics, h -> heuristic(h, now));
    }

    private static String inDoubt(InDoubt d, Instant now) {
        return "{\"gtrid\":" + str(d.gtrid()) + ",\"decidedAt\":" + str(d.decidedAt().toString()) + ",\"ageSeconds\":"
                + Duration.between(d.decidedAt(), now).toSeconds() + ",\"branches\":" + list(d.branches(), Json::branch) + "}";
    }

    private static String heuristic(Heuristic h, Instant now) {
        return "{\"gtrid\":" + str(h.gtrid()) + ",\"branch\":" + branch(h.branch()) + ",\"outcome\":" + str(h.outcome()) + ",\"decision\":"
                + str(h.decision()) + ",\"at\":" + str(h.at().toString()) + ",\"ageSeconds\":" + Duration.between(h.at(), now).toSeconds() + "}";
    }

    private static String branch(Branch b) {
        return "{\"resource\":" + str(b.resource()) + ",\"bqual\":" + str(b.bqual()) + "}";
    }

    private static <T> String list(List<T> items, Function<T, String> f) {
        return items.stream().map(f).collect(Collectors.joining(",", "[", "]"));
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
