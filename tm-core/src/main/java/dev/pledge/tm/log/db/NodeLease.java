package dev.pledge.tm.log.db;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.JournalFencedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;

/**
 * This service's claim on its node row: the epoch it took at start-up and the lease it renews.
 * <p>
 * A lease is judged by the database's clock alone ({@code lease_expires} against the database's
 * current time, both set and compared in SQL), never by this machine's. It only says whether a
 * node looks alive; what makes a write safe is the epoch check inside the write's own transaction
 * ({@link #lockAndCheck}), because a process can pause for any length of time between renewing
 * its lease and writing.
 */
final class NodeLease {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeLease.class);
    private final Tables t;
    private final String nodeName;
    private final long epoch;
    private final Duration duration;

    private NodeLease(Tables t, String nodeName, long epoch, Duration duration) {
        this.t = t;
        this.nodeName = nodeName;
        this.epoch = epoch;
        this.duration = duration;
    }

    long epoch() {
        return epoch;
    }

    Duration duration() {
        return duration;
    }

    /**
     * Takes the node row in one transaction: refuses at once if a live service holds it, otherwise
     * takes it with the next epoch. A row held by a peer that adopted the node (its lease live, but
     * {@code adopted_by} set) is taken back: the new epoch fences the adopter off the node. A new row
     * starts at this machine's clock in milliseconds, not at 1, so that the epochs of a name whose row
     * was deleted (drained, or retired by its adopter) are never handed out again to a later service
     * while a paused one of the old epochs may still wake up.
     */
    static NodeLease acquire(Connection c, Tables t, String nodeName, Duration duration) throws SQLException {
        try {
            long taken;
            String adopter = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT epoch, lease_expires, CASE WHEN lease_expires > " + t.dialect.now
                    + " THEN 1 ELSE 0 END, adopted_by FROM " + t.node + " WHERE name = ? FOR UPDATE")) {
                ps.setString(1, nodeName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long current = rs.getLong(1);
                        Timestamp until = rs.getTimestamp(2);
                        adopter = rs.getString(4);
                        if (rs.getInt(3) == 1 && adopter == null) {
                            c.rollback();
                            throw new JournalException("Node name '" + nodeName + "' is held by a live Pledge service (epoch " + current
                                    + ", its lease in table " + t.node + " of " + t.url + " runs until " + until
                                    + " by the database's clock). Only one live service may use a node name: stop the other one or give"
                                    + " this one another nodeName. A crashed service's lease runs out within " + duration.toSeconds()
                                    + " s; then its name can be taken back.");
                        }
                        taken = current + 1;
                        try (PreparedStatement up = c.prepareStatement("UPDATE " + t.node + " SET epoch = ?, lease_expires = "
                                + t.dialect.nowPlusMillisParameter() + ", taken_at = " + t.dialect.now + ", renewed_at = " + t.dialect.now
                                + ", adopted_by = NULL WHERE name = ? AND epoch = ?")) {
                            up.setLong(1, taken);
                            up.setLong(2, duration.toMillis());
                            up.setString(3, nodeName);
                            up.setLong(4, current);
                            if (up.executeUpdate() != 1) {
                                throw new SQLException("node row '" + nodeName + "' changed while locked");
                            }
                        }
                    } else {
                        taken = Math.max(1, System.currentTimeMillis());
                        try (PreparedStatement in = c.prepareStatement("INSERT INTO " + t.node
                                + " (name, epoch, lease_expires, taken_at, last_batch, renewed_at) VALUES (?, ?, "
                                + t.dialect.nowPlusMillisParameter() + ", " + t.dialect.now + ", 0, " + t.dialect.now + ")")) {
                            in.setString(1, nodeName);
                            in.setLong(2, taken);
                            in.setLong(3, duration.toMillis());
                            in.executeUpdate();
                        }
                    }
                }
            }
            c.commit();
            if (adopter != null) {
                log.info("Node '{}' takes its row back from node '{}', which had adopted it; epoch {} fences the adopter off it",
                        nodeName, adopter, taken);
            }
            return new NodeLease(t, nodeName, taken, duration);
        } catch (SQLException | RuntimeException e) {
            Tables.rollbackQuietly(c);
            throw e;
        }
    }

    /**
     * Adopts node {@code nodeName} for {@code adopter} in one transaction, if its row still holds
     * {@code seenEpoch} and its lease has run out by the database's clock: bumps its epoch (which
     * fences the node and any earlier adopter: their batches check it) and records the adopter. The
     * condition on the old epoch lets exactly one of several racing peers win. Null when the row
     * changed meanwhile (another peer won, or the node renewed or came back).
     */
    static NodeLease takeOver(Connection c, Tables t, String nodeName, long seenEpoch, String adopter, Duration duration)
            throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + t.node + " SET epoch = ?, adopted_by = ?, lease_expires = "
                + t.dialect.nowPlusMillisParameter() + ", taken_at = " + t.dialect.now + ", renewed_at = " + t.dialect.now
                + " WHERE name = ? AND epoch = ? AND lease_expires < " + t.dialect.now)) {
            up.setLong(1, seenEpoch + 1);
            up.setString(2, adopter);
            up.setLong(3, duration.toMillis());
            up.setString(4, nodeName);
            up.setLong(5, seenEpoch);
            int n = up.executeUpdate();
            c.commit();
            return n == 1 ? new NodeLease(t, nodeName, seenEpoch + 1, duration) : null;
        } catch (SQLException | RuntimeException e) {
            Tables.rollbackQuietly(c);
            throw e;
        }
    }

    /** A node row whose lease has run out by the database's clock, and the epoch it held when read. */
    record Expired(String name, long epoch) {
    }

    /** The node rows other than {@code self}'s whose lease has run out by the database's clock, in the caller's transaction. */
    static java.util.List<Expired> expired(Connection c, Tables t, String self) throws SQLException {
        java.util.List<Expired> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, epoch FROM " + t.node + " WHERE lease_expires < " + t.dialect.now
                + " AND name <> ? ORDER BY name")) {
            ps.setString(1, self);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Expired(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        return out;
    }

    /**
     * Deletes the node's rows (node, decisions, heuristics) in one transaction, if the row still holds
     * this epoch: for a node of which nothing is in doubt any more (drained, or finished by its
     * adopter), so that nobody takes it over. Fenced when the epoch moved.
     */
    void deleteRows(Connection c) throws SQLException {
        try {
            lockAndCheckEpoch(c);
            for (String table : new String[] {t.decision, t.heuristic}) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE node = ?")) {
                    ps.setString(1, nodeName);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.node + " WHERE name = ? AND epoch = ?")) {
                ps.setString(1, nodeName);
                ps.setLong(2, epoch);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            Tables.rollbackQuietly(c);
            throw e;
        }
    }

    private void lockAndCheckEpoch(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + t.node + " WHERE name = ? FOR UPDATE")) {
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) != epoch) {
                    throw fenced(c);
                }
            }
        }
    }

    /**
     * Inside the caller's transaction: marks the node row with {@code batch} if it still holds this
     * service's epoch, which also row-locks it until the transaction ends. Throws the fencing
     * exception (having rolled back) when another service has taken the node over.
     */
    void lockAndCheck(Connection c, long batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.node + " SET last_batch = ? WHERE name = ? AND epoch = ?")) {
            ps.setLong(1, batch);
            ps.setString(2, nodeName);
            ps.setLong(3, epoch);
            if (ps.executeUpdate() != 1) {
                throw fenced(c);
            }
        }
    }

    /** Inside the caller's transaction: renews the lease if the row still holds this epoch, else fenced. */
    void renew(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.node + " SET lease_expires = " + t.dialect.nowPlusMillisParameter()
                + ", renewed_at = " + t.dialect.now + " WHERE name = ? AND epoch = ?")) {
            ps.setLong(1, duration.toMillis());
            ps.setString(2, nodeName);
            ps.setLong(3, epoch);
            if (ps.executeUpdate() != 1) {
                throw fenced(c);
            }
        }
    }

    /** Ends the lease at once (a clean close), so that a restart with this name need not wait for it to run out. */
    void release(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.node + " SET lease_expires = " + t.dialect.now
                + " WHERE name = ? AND epoch = ?")) {
            ps.setString(1, nodeName);
            ps.setLong(2, epoch);
            ps.executeUpdate();
            c.commit();
        }
    }

    /** The node row as a read-back sees it: the mark of the last batch committed under it, and its epoch. */
    record Row(long lastBatch, long epoch) {
    }

    /**
     * In a transaction of its own on a fresh connection: locks the node row, which waits until any
     * earlier transaction that locked it (a batch whose COMMIT had no known outcome) has really
     * ended, and returns it (null if the row is gone); the caller reads on and then commits.
     */
    Row lockAndRead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT last_batch, epoch FROM " + t.node + " WHERE name = ? FOR UPDATE")) {
            ps.setQueryTimeout(30); // a lock held by a transaction that never ends (a half-open connection): give up and retry
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    /** The epoch the node row holds now (-1 if the row is gone), read in the caller's transaction without locking. */
    long currentEpoch(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + t.node + " WHERE name = ?")) {
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private JournalFencedException fenced(Connection c) throws SQLException {
        long current = -1;
        Timestamp since = null;
        String adopter = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, taken_at, adopted_by FROM " + t.node + " WHERE name = ?")) {
            ps.setString(1, nodeName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    current = rs.getLong(1);
                    since = rs.getTimestamp(2);
                    adopter = rs.getString(3);
                }
            }
        }
        Tables.rollbackQuietly(c);
        String who = current < 0 ? "its row in " + t.node + " is gone"
                : "another service took the node over: epoch " + current + " since " + since + " by the database's clock"
                + (adopter != null ? ", adopted by node '" + adopter + "' after this node's lease ran out (takeover)"
                        : ", a restart of node '" + nodeName + "'");
        return new JournalFencedException("This service is fenced: node '" + nodeName + "' no longer holds epoch " + epoch
                + " in table " + t.node + " of " + t.url + " (" + who + "). Nothing was written; this service logs no more decisions."
                + " Restart it to take the node back, or leave the node to the service that took it.", epoch, current);
    }
}
