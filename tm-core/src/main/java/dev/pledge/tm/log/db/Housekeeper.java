package dev.pledge.tm.log.db;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalFencedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's work off the commit path, on one daemon thread with a connection of its own: deletes
 * completed decisions in batches (every {@value #FLUSH_MILLIS} ms) and renews the node's lease
 * every third of its duration.
 * <p>
 * The deletes do not touch the node row: every decision batch locks that row until its COMMIT, so
 * a delete transaction that renewed the lease or checked the epoch would hold the committers up
 * every {@value #FLUSH_MILLIS} ms. They need no fencing either: a decision is deleted only once
 * all its branches are committed, so a node taken over that still deletes one takes nothing its
 * adopter needs (the adopter finds the branches done, and its own delete finds no row).
 */
final class Housekeeper {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);
    private static final int MAX_BATCH = 500;
    static final long FLUSH_MILLIS = 20;

    private final Connections connections;
    private final Tables t;
    private final NodeLease lease;
    private final String nodeName;
    private final BooleanSupplier fenced;
    private final Consumer<JournalFencedException> onFenced;
    private final ConcurrentLinkedQueue<Gtrid> completions = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService thread;
    /** Used by the thread only (and by {@link #close} once the thread has stopped). */
    private Connection connection;
    /** {@link System#nanoTime()} since which every renewal succeeded (the acquisition counts as one); -1 while they fail. */
    private volatile long renewingSinceNanos = System.nanoTime();
    /** When the last renewal succeeded, by {@link System#nanoTime()}. */
    private volatile long lastRenewalNanos = System.nanoTime();
    /** Why the last renewal failed, or null when it succeeded. */
    private volatile String renewalFailure;

    /** How the lease ends at {@link #close}. */
    enum Ending {
        /** The lease ends at once, so that a restart (or a peer) may take the node at once. */
        RELEASE,
        /** The node's rows are deleted (nothing of it is in doubt): nobody takes it over. */
        DELETE
    }

    Housekeeper(Connections connections, Tables t, NodeLease lease, String nodeName, BooleanSupplier fenced,
                Consumer<JournalFencedException> onFenced) {
        this.connections = connections;
        this.t = t;
        this.lease = lease;
        this.nodeName = nodeName;
        this.fenced = fenced;
        this.onFenced = onFenced;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "pledge-dblog-" + nodeName);
            th.setDaemon(true);
            return th;
        });
    }

    void start() {
        thread.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        long renew = Math.max(100, lease.duration().toMillis() / 3);
        thread.scheduleWithFixedDelay(this::renewLease, renew, renew, TimeUnit.MILLISECONDS);
    }

    /** Queues the deletion of a completed decision's row. */
    void completed(Gtrid gtrid) {
        completions.add(gtrid);
    }

    private void flushQuietly() {
        try {
            while (flush()) {
                // more than one batch was queued
            }
        } catch (RuntimeException e) {
            log.error("Database log {}: deleting completed decisions failed", t.url, e);
        }
    }

    /** Deletes up to one batch of completed decisions in one transaction; true if more are queued. */
    private boolean flush() {
        if (completions.isEmpty() || fenced.getAsBoolean()) {
            return false;
        }
        List<Gtrid> done = new ArrayList<>();
        for (Gtrid g; done.size() < MAX_BATCH && (g = completions.poll()) != null; ) {
            done.add(g);
        }
        try {
            Connection c = connection();
            try {
                // one statement per batch, not a JDBC batch: one round trip, and on a connection the network broke pgjdbc fails a
                // plain statement with an SQLException (its batch path trips over an internal assertion when assertions are on)
                StringBuilder sql = new StringBuilder(64 + 3 * done.size()).append("DELETE FROM ").append(t.decision)
                        .append(" WHERE node = ? AND gtrid IN (");
                for (int i = 0; i < done.size(); i++) {
                    sql.append(i == 0 ? "?" : ", ?");
                }
                try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                    ps.setString(1, nodeName);
                    for (int i = 0; i < done.size(); i++) {
                        ps.setBytes(i + 2, done.get(i).bytes());
                    }
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Tables.rollbackQuietly(c);
                throw e;
            }
            return !completions.isEmpty();
        } catch (SQLException | RuntimeException e) {
            completions.addAll(done); // deleting again is harmless, whether or not that commit landed
            discard();
            log.warn("Database log {}: could not delete {} completed decisions (retrying later): {}", t.url, done.size(), e.toString());
            return false;
        }
    }

    private void renewLease() {
        if (fenced.getAsBoolean()) {
            return;
        }
        try {
            Connection c = connection();
            try {
                lease.renew(c);
                c.commit();
                renewed();
            } catch (SQLException | RuntimeException e) {
                Tables.rollbackQuietly(c);
                throw e;
            }
        } catch (JournalFencedException e) {
            onFenced.accept(e);
        } catch (SQLException | RuntimeException e) {
            renewalFailed(e);
            discard();
            log.warn("Database log {}: could not renew the lease of node '{}' in {}: {}", t.url, nodeName, t.node, e.toString());
        }
    }

    private void renewed() {
        long now = System.nanoTime();
        lastRenewalNanos = now;
        if (renewingSinceNanos == -1) {
            renewingSinceNanos = now;
        }
        renewalFailure = null;
    }

    private void renewalFailed(Exception e) {
        renewingSinceNanos = -1;
        renewalFailure = e.toString();
    }

    /**
     * The outage rule: true when every renewal of the last full lease duration succeeded and the last
     * one is recent (within two thirds of the lease: renewals run on time, this process was not
     * paused). Only then may this service judge that a peer whose lease ran out is dead rather than
     * cut off from the database like itself.
     */
    boolean renewingSteadily() {
        long since = renewingSinceNanos;
        long now = System.nanoTime();
        long leaseNanos = lease.duration().toNanos();
        return since != -1 && now - since >= leaseNanos && now - lastRenewalNanos <= leaseNanos * 2 / 3;
    }

    /** Why the last renewal failed, or null when it succeeded. */
    String renewalFailure() {
        return renewalFailure;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connections.open();
        }
        return connection;
    }

    private void discard() {
        if (connection != null) {
            Connections.closeQuietly(connection);
            connection = null;
        }
    }

    /**
     * Stops the thread, deletes the completions still queued and, unless fenced, ends the lease (so
     * that a restart with this node name need not wait for it to run out).
     */
    void close() {
        close(Ending.RELEASE);
    }

    /** As {@link #close()}, ending the lease the given way; a deletion that fails falls back to a release. */
    void close(Ending ending) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Database log {}: background thread still busy after 10 s", t.url);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (flush()) {
            // until the queue is empty or the database refuses
        }
        if (ending == Ending.DELETE && !fenced.getAsBoolean()) {
            try {
                lease.deleteRows(connection());
                discard();
                return;
            } catch (JournalFencedException e) {
                onFenced.accept(e);
            } catch (SQLException | RuntimeException e) {
                discard();
                log.warn("Database log {}: could not delete the rows of node '{}' ({}); ending its lease instead", t.url, nodeName,
                        e.toString());
            }
        }
        if (!fenced.getAsBoolean()) {
            try {
                lease.release(connection());
            } catch (SQLException | RuntimeException e) {
                log.warn("Database log {}: could not end the lease of node '{}' ({}); a restart waits until it runs out", t.url, nodeName,
                        e.toString());
            }
        }
        discard();
    }
}
