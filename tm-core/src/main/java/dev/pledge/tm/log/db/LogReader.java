package dev.pledge.tm.log.db;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/** Reads the log's tables: one node's live state at open, or everything for operators' tools. */
final class LogReader {
    private LogReader() {
    }

    /** Loads {@code nodeName}'s pending decisions and unresolved heuristics into the journal's maps, in the caller's transaction. */
    static void load(Connection c, Tables t, String nodeName, Map<Gtrid, CommitRecord> pending,
                     Map<Gtrid, List<HeuristicRecord>> heuristics) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT gtrid, decided_at, branches FROM " + t.decision + " WHERE node = ?")) {
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Gtrid g = new Gtrid(rs.getBytes(1));
                    pending.put(g, new CommitRecord(g, BranchCodec.decode(rs.getBytes(3)), rs.getLong(2)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT gtrid, bqual, resource_name, xa_code, decision_was_commit, at_millis FROM "
                + t.heuristic + " WHERE node = ? ORDER BY epoch, seq")) {
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Gtrid g = new Gtrid(rs.getBytes(1));
                    HeuristicRecord h = new HeuristicRecord(g, new BranchRecord(rs.getBytes(2), rs.getString(3)), rs.getInt(4),
                            rs.getInt(5) != 0, rs.getLong(6));
                    heuristics.computeIfAbsent(g, x -> new CopyOnWriteArrayList<>()).add(h);
                }
            }
        }
        c.commit();
    }

    /** Reads every node's rows without taking or changing any; see {@link DatabaseJournal#inspect}. */
    static DatabaseJournal.Snapshot inspect(DataSource dataSource, String prefix) {
        String url = "(unknown URL)";
        try (Connection c = dataSource.getConnection()) {
            url = Connections.withoutParameters(c.getMetaData().getURL());
            Tables t = new Tables(Dialect.of(c.getMetaData().getDatabaseProductName(), url), prefix, url);
            String table = t.node;
            try {
                List<DatabaseJournal.Node> nodes = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT name, epoch, CASE WHEN lease_expires > " + t.dialect.now
                        + " THEN 1 ELSE 0 END, lease_expires, renewed_at, " + t.dialect.now + ", adopted_by FROM " + t.node
                        + " ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        java.sql.Timestamp until = rs.getTimestamp(4);
                        java.sql.Timestamp renewed = rs.getTimestamp(5);
                        java.sql.Timestamp now = rs.getTimestamp(6);
                        java.time.Duration age = renewed == null || now == null ? null
                                : java.time.Duration.between(renewed.toInstant(), now.toInstant());
                        nodes.add(new DatabaseJournal.Node(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1,
                                until == null ? null : until.toInstant(), age, rs.getString(7)));
                    }
                }
                table = t.decision;
                List<DatabaseJournal.Decision> decisions = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT node, gtrid, decided_at, branches FROM " + t.decision
                        + " ORDER BY decided_at"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Gtrid g = new Gtrid(rs.getBytes(2));
                        decisions.add(new DatabaseJournal.Decision(rs.getString(1), new CommitRecord(g, BranchCodec.decode(rs.getBytes(4)), rs.getLong(3))));
                    }
                }
                table = t.heuristic;
                List<DatabaseJournal.Heuristic> heuristics = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT node, gtrid, bqual, resource_name, xa_code, decision_was_commit,"
                        + " at_millis FROM " + t.heuristic + " ORDER BY node, epoch, seq"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        heuristics.add(new DatabaseJournal.Heuristic(rs.getString(1), new HeuristicRecord(new Gtrid(rs.getBytes(2)),
                                new BranchRecord(rs.getBytes(3), rs.getString(4)), rs.getInt(5), rs.getInt(6) != 0, rs.getLong(7))));
                    }
                }
                return new DatabaseJournal.Snapshot(url, nodes, decisions, heuristics);
            } catch (SQLException e) {
                throw new JournalException("Cannot read table " + table + " of the database log at " + url + ": " + e
                        + (Tables.isMissingTableOrColumn(e) ? " (no Pledge log with table prefix '" + prefix + "' there?)" : ""), e);
            }
        } catch (SQLException e) {
            throw new JournalException("Cannot read the database log at " + url + " (tables " + prefix + "*): " + e, e);
        }
    }
}
