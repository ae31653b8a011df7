package dev.pledge.tm;

import dev.pledge.tm.log.Journal;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalSnapshot;
import dev.pledge.tm.log.db.DatabaseJournal;
import dev.pledge.tm.log.file.FileJournal;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * An operator's view of a recovery log (a directory, or a database log's tables), used by {@code pledge log inspect} and
 * {@code pledge log resolve}: what is in doubt, what ended heuristically, and manual resolution.
 */
public final class RecoveryLog {
    private RecoveryLog() {
    }

    /** A branch of a transaction: the resource it ran on and its qualifier in hex. */
    public record Branch(String resource, String bqual) {
    }

    /** A commit decision whose branches are not all finished. */
    public record InDoubt(String gtrid, Instant decidedAt, List<Branch> branches) {
    }

    /** A heuristic outcome waiting for an operator. {@code outcome} is the XA code's name, e.g. XA_HEURRB. */
    public record Heuristic(String gtrid, Branch branch, String outcome, String decision, Instant at) {
    }

    /** One segment file and the bytes its records take (the rest of the preallocated file is zeros). */
    public record Segment(String name, long bytes) {
    }

    /** The readable content of a log directory. */
    public record Contents(Path directory, List<InDoubt> inDoubt, List<Heuristic> heuristics, List<Segment> segments) {
    }

    /** Reads the log without locking or changing it (a running service may hold it). */
    public static Contents inspect(Path directory) {
        JournalSnapshot s = FileJournal.inspect(directory);
        return new Contents(s.directory(),
                s.pendingCommits().stream().map(RecoveryLog::inDoubt).toList(),
                s.heuristics().stream().map(RecoveryLog::heuristic).toList(),
                s.segments().stream().map(x -> new Segment(x.name(), x.bytes())).toList());
    }

    /**
     * Records that an operator resolved transaction {@code gtrid} by hand ({@code committed} says
     * how): its heuristic outcomes are marked resolved and an unfinished commit decision is marked
     * complete, so recovery stops working on it. Needs the log's lock: the service must be stopped.
     *
     * @return what was resolved, in words
     */
    public static String resolve(Path directory, String gtrid, boolean committed) throws IOException {
        Gtrid g = Gtrid.parse(gtrid);
        requireLog(directory);
        try (FileJournal j = FileJournal.open(directory, true)) {
            boolean decision = j.pendingCommit(g) != null;
            long heuristics = j.heuristics().stream().filter(h -> h.gtrid().equals(g)).count();
            if (!decision && heuristics == 0) {
                throw new IllegalArgumentException("the log in " + directory.toAbsolutePath() + " holds no in-doubt or heuristic transaction "
                        + gtrid + " ('pledge log inspect " + directory + "' lists them)");
            }
            if (heuristics > 0) {
                j.logResolved(g);
            }
            if (decision) {
                j.logCompleted(g);
            }
            return "transaction " + g + " resolved by hand as " + (committed ? "committed" : "rolled back") + ": "
                    + (heuristics > 0 ? heuristics + " heuristic outcome(s) marked resolved" : "")
                    + (heuristics > 0 && decision ? ", " : "")
                    + (decision ? "its commit decision marked complete" : "");
        }
    }

    /** Refuses a path that holds no log (a typo): opening it for writing would make a new, empty log there. */
    private static void requireLog(Path directory) throws IOException {
        Path dir = directory.toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("No recovery log at " + dir + ": not a directory");
        }
        try (java.nio.file.DirectoryStream<Path> segments = Files.newDirectoryStream(dir, "pledge-*.log")) {
            if (!segments.iterator().hasNext()) {
                throw new IllegalArgumentException("No recovery log in " + dir + ": it holds no segment file (pledge-*.log)");
            }
        }
    }

    /**
     * A node row of a database log: its epoch, whether a live service holds it, when its lease runs
     * out, how long ago it was renewed (by the database's clock; null if unknown), and the node that
     * adopted it after its lease ran out (null for a node's own service).
     */
    public record Node(String name, long epoch, boolean live, Instant leaseExpires, java.time.Duration leaseAge, String adoptedBy) {
    }

    /** The readable content of a database log: every node's in-doubt and heuristic transactions. */
    public record DatabaseContents(String url, List<Node> nodes, List<InDoubt> inDoubt, List<Heuristic> heuristics) {
    }

    /** Reads a database log under {@code tablePrefix} without taking a node row or changing it (services may be running). */
    public static DatabaseContents inspect(DataSource dataSource, String tablePrefix) {
        DatabaseJournal.Snapshot s = DatabaseJournal.inspect(dataSource, tablePrefix);
        return new DatabaseContents(s.url(),
                s.nodes().stream().map(n -> new Node(n.name(), n.epoch(), n.live(), n.leaseExpires(), n.leaseAge(), n.adoptedBy())).toList(),
                s.decisions().stream().map(d -> inDoubt(d.record())).toList(),
                s.heuristics().stream().map(h -> heuristic(h.record())).toList());
    }

    /** One node of a database log as {@code pledge cluster status} shows it: its row, and how much of it is in doubt. */
    public record NodeStatus(Node node, int inDoubtDecisions, int heuristicOutcomes) {
    }

    /** Every node of a database log (a cluster of services sharing it), in name order. */
    public record ClusterStatus(String url, List<NodeStatus> nodes) {
        public ClusterStatus {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * Reads the node rows of a database log with each node's in-doubt decisions and heuristic
     * outcomes, without taking a row or changing anything. Decisions of a node whose row is gone
     * (never expected: a row is deleted only with them) are listed under a node of epoch -1.
     */
    public static ClusterStatus clusterStatus(DataSource dataSource, String tablePrefix) {
        DatabaseJournal.Snapshot s = DatabaseJournal.inspect(dataSource, tablePrefix);
        java.util.Map<String, Node> nodes = new java.util.TreeMap<>();
        for (DatabaseJournal.Node n : s.nodes()) {
            nodes.put(n.name(), new Node(n.name(), n.epoch(), n.live(), n.leaseExpires(), n.leaseAge(), n.adoptedBy()));
        }
        java.util.Map<String, Integer> inDoubt = new java.util.HashMap<>();
        java.util.Map<String, Integer> heuristics = new java.util.HashMap<>();
        for (DatabaseJournal.Decision d : s.decisions()) {
            inDoubt.merge(d.node(), 1, Integer::sum);
            nodes.putIfAbsent(d.node(), new Node(d.node(), -1, false, null, null, null));
        }
        for (DatabaseJournal.Heuristic h : s.heuristics()) {
            heuristics.merge(h.node(), 1, Integer::sum);
            nodes.putIfAbsent(h.node(), new Node(h.node(), -1, false, null, null, null));
        }
        return new ClusterStatus(s.url(), nodes.values().stream()
                .map(n -> new NodeStatus(n, inDoubt.getOrDefault(n.name(), 0), heuristics.getOrDefault(n.name(), 0))).toList());
    }

    /**
     * Same as {@link #resolve(Path, String, boolean)} for a database log: takes the row of the node
     * that logged the transaction (which fails if a live service holds it: stop that service first),
     * records the resolution and gives the row back.
     */
    public static String resolve(DataSource dataSource, String tablePrefix, String gtrid, boolean committed) throws IOException {
        Gtrid g = Gtrid.parse(gtrid);
        DatabaseJournal.Snapshot s = DatabaseJournal.inspect(dataSource, tablePrefix);
        String node = s.decisions().stream().filter(d -> d.record().gtrid().equals(g)).map(DatabaseJournal.Decision::node).findFirst()
                .orElse(s.heuristics().stream().filter(h -> h.record().gtrid().equals(g)).map(DatabaseJournal.Heuristic::node).findFirst()
                        .orElse(null));
        if (node == null) {
            throw new IllegalArgumentException("the database log at " + s.url() + " (tables " + tablePrefix + "*) holds no in-doubt or"
                    + " heuristic transaction " + gtrid + " ('pledge log inspect --jdbc-url ...' lists them)");
        }
        try (DatabaseJournal j = DatabaseJournal.open(dataSource, tablePrefix, node, DatabaseJournal.DEFAULT_LEASE)) {
            return resolveIn(j, g, committed);
        }
    }

    private static String resolveIn(dev.pledge.tm.log.Journal j, Gtrid g, boolean committed) throws IOException {
        boolean decision = j.pendingCommit(g) != null;
        long heuristics = j.heuristics().stream().filter(h -> h.gtrid().equals(g)).count();
        if (heuristics > 0) {
            j.logResolved(g);
        }
        if (decision) {
            j.logCompleted(g);
        }
        return "transaction " + g + " resolved by hand as " + (committed ? "committed" : "rolled back") + ": "
                + (heuristics > 0 ? heuristics + " heuristic outcome(s) marked resolved" : "")
                + (heuristics > 0 && decision ? ", " : "")
                + (decision ? "its commit decision marked complete" : "");
    }

    private static InDoubt inDoubt(CommitRecord c) {
        return new InDoubt(c.gtrid().toString(), Instant.ofEpochMilli(c.decidedAtMillis()), c.branches().stream().map(RecoveryLog::branch).toList());
    }

    private static Heuristic heuristic(HeuristicRecord h) {
        return new Heuristic(h.gtrid().toString(), branch(h.branch()), XaCodes.name(h.xaCode()), h.decisionWasCommit() ? "commit" : "rollback",
                Instant.ofEpochMilli(h.atMillis()));
    }

    private static Branch branch(BranchRecord b) {
        return new Branch(b.resourceName(), HexFormat.of().formatHex(b.bqual()));
    }
}
