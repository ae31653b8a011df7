package dev.pledge.tm.log.db;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.ClusterJournal;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.JournalFencedException;
import dev.pledge.tm.log.JournalOutcomeUnknownException;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import dev.pledge.tm.log.WriteStats;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery log in a database: the file log's semantics over plain JDBC, with connections of
 * its own (auto-commit off, read committed; never enlisted in XA, never the application's).
 * <p>
 * <b>Group commit.</b> A committer queues its decision and then tries the write lock. The thread
 * that gets it leads: it takes every queued request (its own and those of committers that queued
 * meanwhile), and in ONE database transaction checks the node's epoch, inserts them, and COMMITs
 * once (on PostgreSQL the check and the inserts of a batch of decisions are one statement, a
 * data-modifying CTE; sent in auto-commit on a connection that answered within the last second,
 * that statement is the batch's COMMIT and the batch costs ONE round trip, otherwise the statement
 * and then a COMMIT; elsewhere the node row's UPDATE, JDBC batches and the COMMIT); it then unparks the committers it served and the first one still
 * queued, which leads the next batch. Committers that find a batch in progress park. A lone
 * committer thus pays one transaction on its own thread, with no hand-off to a writer thread and no
 * wake-up latency; under load a batch holds everyone who queued during the previous one. Heuristic
 * outcomes and resolutions take the same path (forced). Completions ({@link #logCompleted}) are
 * deleted in batches by this journal's background thread, off the commit path, in transactions that
 * do not touch the node row (which every batch locks until its COMMIT); the same thread renews the
 * lease in transactions of their own.
 * <p>
 * <b>Fencing.</b> At open the journal takes its node row with the next epoch, refusing at once if
 * another service holds the row with a lease that has not run out by the database's clock. Every
 * batch marks the row ({@code UPDATE ... WHERE name = ? AND epoch = ?}) inside its own transaction,
 * which also locks it until the COMMIT: if the epoch moved, the batch writes nothing and the
 * journal is fenced for good ({@link JournalFencedException}).
 * <p>
 * <b>Unknown outcome.</b> When the COMMIT itself fails (or the auto-committed one-trip statement,
 * which is its own COMMIT), the decision may or may not be in the log.
 * The leader does not guess: on fresh connections, retrying with backoff until it knows (or the
 * journal is closed), it locks the node row, which waits for the old transaction (that held the row
 * lock) to have ended in the server, and reads whether the batch landed (its mark on the node row,
 * or its decision rows). Landed: the committers return normally. Not landed: they get an
 * {@link IOException} and may roll back.
 * <p>
 * <b>Unavailable database.</b> A failed batch before its COMMIT wrote nothing: its committers get an
 * {@link IOException} naming the URL and the cause. The connection is dropped and the next batch
 * takes a new one, so the journal heals when the database is back.
 */
public final class DatabaseJournal implements ClusterJournal {
    private static final Logger log = LoggerFactory.getLogger(DatabaseJournal.class);
    /** Default lease of a node row; renewed every third of it. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** Default prefix of the log's table names. */
    public static final String DEFAULT_TABLE_PREFIX = "pledge_";
    private static final int MAX_BATCH = 512;
    /** How recently the kept connection must have answered for a batch to go in one auto-committed round trip. */
    static final long ONE_TRIP_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int QUEUED = 0;
    private static final int DONE = 1;
    private static final int FAILED = 2;

    private final Connections connections;
    private final Tables t;
    private final String nodeName;
    private final NodeLease lease;
    private final Map<Gtrid, CommitRecord> pending = new ConcurrentHashMap<>();
    private final Map<Gtrid, List<HeuristicRecord>> heuristics = new ConcurrentHashMap<>();
    private final AtomicLong heuristicSeq = new AtomicLong();

    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    /** Held by the leader of a batch; guards {@link #writer}. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private Connection writer;
    /** The dialect's one-statement checked insert ("" where it has none), once known; guarded by the write lock. */
    private String checkedInsert;
    /** When {@link #writer} last completed a batch (System.nanoTime()); guarded by the write lock. Cold at open. */
    private long writerAnsweredAt = System.nanoTime() - 2 * ONE_TRIP_WINDOW_NANOS;
    /** Whether the batch being written has sent its COMMIT; guarded by the write lock. */
    private boolean commitSent;
    /** Queued requests that want their batch's figures: while there are any, the leader times each batch from here. */
    private final AtomicInteger measuredRequests = new AtomicInteger();
    /** When the batch being written began, if one of its requests wants figures; guarded by the write lock. */
    private long batchStarted;

    private final Housekeeper housekeeper;

    private volatile JournalFencedException fenced;
    /** Why the last batch could not be written (the database unreachable), cleared by the next batch that commits; for health views. */
    private volatile String lastWriteFailure;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long forces;

    /** One forced write waiting for a batch: a decision, a heuristic outcome or a resolution. */
    private static final class Request {
        final CommitRecord commit;
        final HeuristicRecord heuristic;
        final long heuristicSeq;
        final Gtrid resolved;
        final Thread thread = Thread.currentThread();
        Exception failure;
        volatile int state = QUEUED;
        /** Filled when the batch that wrote it finishes, if the caller asked (tracing). */
        WriteStats stats;

        Request(CommitRecord commit, HeuristicRecord heuristic, long heuristicSeq, Gtrid resolved) {
            this.commit = commit;
            this.heuristic = heuristic;
            this.heuristicSeq = heuristicSeq;
            this.resolved = resolved;
        }
    }

    /** The adopter's node name for an adopted node's log, else null. */
    private final String adoptedBy;

    private DatabaseJournal(Connections connections, Tables t, String nodeName, NodeLease lease, Connection writer, String adoptedBy) {
        this.connections = connections;
        this.t = t;
        this.nodeName = nodeName;
        this.lease = lease;
        this.writer = writer;
        this.adoptedBy = adoptedBy;
        this.housekeeper = new Housekeeper(connections, t, lease, nodeName, () -> fenced != null, this::fence);
    }

    /**
     * Opens the log in {@code dataSource}'s database: creates its tables when absent (checking the
     * schema version otherwise), takes the node row of {@code nodeName} with a new epoch (failing
     * at once if a live service holds it), and loads that node's pending decisions and heuristics.
     */
    public static DatabaseJournal open(DataSource dataSource, String tablePrefix, String nodeName, Duration leaseDuration) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(nodeName, "nodeName");
        String prefix = Tables.checkPrefix(tablePrefix);
        if (leaseDuration.toMillis() < 300) {
            throw new IllegalArgumentException("leaseDuration must be at least 300 ms (the database log's lease), not " + leaseDuration);
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new JournalException("Cannot connect to the database log (DataSource " + dataSource + "): " + e, e);
        }
        String url = "(unknown URL)";
        try {
            url = Connections.withoutParameters(c.getMetaData().getURL());
            Tables t = new Tables(Dialect.of(c.getMetaData().getDatabaseProductName(), url), prefix, url);
            t.dialect.requireDurableCommits(c, url);
            Connections.configure(c, t.dialect, leaseDuration);
            t.createOrCheck(c);
            NodeLease lease = NodeLease.acquire(c, t, nodeName, leaseDuration);
            DatabaseJournal j = new DatabaseJournal(new Connections(dataSource, t.dialect, leaseDuration), t, nodeName, lease, c, null);
            LogReader.load(c, t, nodeName, j.pending, j.heuristics);
            j.housekeeper.start();
            log.info("Database log {} (tables {}*): node '{}' took epoch {}; {} commit decisions to finish, {} transactions with"
                    + " heuristic outcomes", url, prefix, nodeName, lease.epoch(), j.pending.size(), j.heuristics.size());
            return j;
        } catch (SQLException e) {
            Connections.closeQuietly(c);
            throw new JournalException("Cannot open the database log at " + url + " (tables " + prefix + "*): " + e, e);
        } catch (RuntimeException e) {
            Connections.closeQuietly(c);
            throw e;
        }
    }

    /** What a database log holds, read without taking any node row: for operators' tools. */
    public record Snapshot(String url, List<Node> nodes, List<Decision> decisions, List<Heuristic> heuristics) {
        public Snapshot {
            nodes = List.copyOf(nodes);
            decisions = List.copyOf(decisions);
            heuristics = List.copyOf(heuristics);
        }
    }

    /**
     * A node row: its epoch, whether a live service holds it (its lease not yet run out by the
     * database's clock), when the lease runs out, how long ago it was last renewed (by the database's
     * clock; null if never recorded) and the node that adopted it (null for a node's own service).
     */
    public record Node(String name, long epoch, boolean live, java.time.Instant leaseExpires, Duration leaseAge, String adoptedBy) {
    }

    /** A pending decision and the node that logged it. */
    public record Decision(String node, CommitRecord record) {
    }

    /** An unresolved heuristic outcome and the node that logged it. */
    public record Heuristic(String node, HeuristicRecord record) {
    }

    /**
     * Reads every node's pending decisions and heuristics and the node rows, without taking a node
     * row or changing anything (a running service may hold it). Fails naming the URL and table when
     * the tables are absent or not the log's.
     */
    public static Snapshot inspect(DataSource dataSource, String tablePrefix) {
        return LogReader.inspect(dataSource, Tables.checkPrefix(tablePrefix));
    }

    /** The JDBC URL of the log's database, as its driver reported it at open. */
    public String url() {
        return t.url;
    }

    /** The epoch this service took its node row with. */
    public long epoch() {
        return lease.epoch();
    }

    // ------------------------------------------------------------------ cluster (takeover, adoption)

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String adoptedBy() {
        return adoptedBy;
    }

    @Override
    public Duration leaseDuration() {
        return lease.duration();
    }

    @Override
    public boolean renewingSteadily() {
        return fenced == null && !closed.get() && housekeeper.renewingSteadily();
    }

    @Override
    public String leaseState() {
        if (fenced != null) {
            return "fenced";
        }
        if (closed.get()) {
            return "closed";
        }
        String failure = housekeeper.renewalFailure();
        return failure != null ? "renewal failing: " + failure : "held (epoch " + lease.epoch() + ")";
    }

    @Override
    public List<Peer> expiredPeers() {
        Connection c = null;
        try {
            c = connections.open();
            List<Peer> out = new ArrayList<>();
            for (NodeLease.Expired e : NodeLease.expired(c, t, nodeName)) {
                out.add(new Peer(e.name(), e.epoch()));
            }
            c.commit();
            return out;
        } catch (SQLException e) {
            throw new JournalException("Cannot read the node rows of the database log " + t.url + " (table " + t.node + "): " + e, e);
        } finally {
            if (c != null) {
                Tables.rollbackQuietly(c);
                Connections.closeQuietly(c);
            }
        }
    }

    @Override
    public DatabaseJournal adopt(Peer peer) {
        if (fenced != null || closed.get()) {
            return null;
        }
        Connection c = null;
        try {
            c = connections.open();
            NodeLease taken = NodeLease.takeOver(c, t, peer.name(), peer.epoch(), nodeName, lease.duration());
            if (taken == null) {
                Connections.closeQuietly(c);
                return null;
            }
            DatabaseJournal j = new DatabaseJournal(connections, t, peer.name(), taken, c, nodeName);
            LogReader.load(c, t, peer.name(), j.pending, j.heuristics);
            j.housekeeper.start();
            log.warn("Database log {}: node '{}' adopted node '{}' (its lease had run out) with epoch {}: {} commit decisions to"
                    + " finish, {} transactions with heuristic outcomes", t.url, nodeName, peer.name(), taken.epoch(), j.pending.size(),
                    j.heuristics.size());
            return j;
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                Tables.rollbackQuietly(c);
                Connections.closeQuietly(c);
            }
            throw new JournalException("Node '" + nodeName + "' could not adopt node '" + peer.name() + "' in the database log " + t.url
                    + ": " + e, e);
        }
    }

    @Override
    public boolean retire() {
        boolean empty = pending.isEmpty() && heuristics.isEmpty() && fenced == null;
        close(empty ? Housekeeper.Ending.DELETE : Housekeeper.Ending.RELEASE);
        return empty && fenced == null;
    }

    // ------------------------------------------------------------------ forced writes

    @Override
    public void logCommit(CommitRecord record) throws IOException {
        logCommit(record, null);
    }

    /** Also fills {@code stats}: its batch's size and the time of its statements and COMMIT (the bytes stay unknown). */
    @Override
    public void logCommit(CommitRecord record, WriteStats stats) throws IOException {
        checkUsable();
        pending.put(record.gtrid(), record);
        Request request = new Request(record, null, 0, null);
        if (stats != null) {
            request.stats = stats;
            measuredRequests.incrementAndGet(); // down again in finish
        }
        try {
            submit(request);
        } catch (JournalOutcomeUnknownException e) {
            throw e; // the decision may be in the log: it stays pending
        } catch (IOException | RuntimeException e) {
            pending.remove(record.gtrid()); // known not written: the caller rolls back, and recovery must not commit it
            throw e;
        }
    }

    @Override
    public void logHeuristic(HeuristicRecord record) throws IOException {
        checkUsable();
        submit(new Request(null, record, heuristicSeq.incrementAndGet(), null));
    }

    @Override
    public void logResolved(Gtrid gtrid) throws IOException {
        checkUsable();
        submit(new Request(null, null, 0, gtrid));
    }

    private void checkUsable() throws IOException {
        JournalFencedException f = fenced;
        if (f != null) {
            throw f;
        }
        if (closed.get()) {
            throw new IOException("The database log " + t.url + " is closed");
        }
    }

    /** Queues the request and returns once a batch has committed it; leads a batch when no one else is. */
    private void submit(Request r) throws IOException {
        queue.add(r);
        // Set aside while this thread may run JDBC calls: an in-process database (H2) can close its files on an interrupt.
        boolean interrupted = Thread.interrupted();
        try {
            while (r.state == QUEUED) {
                if (writeLock.tryLock()) {
                    try {
                        while (r.state == QUEUED) {
                            writeBatch();
                        }
                    } finally {
                        writeLock.unlock();
                    }
                    Request next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread); // it leads the next batch
                    }
                } else {
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted(); // keep it for the caller instead of spinning on it
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (r.state == FAILED) {
            Exception f = r.failure;
            if (f instanceof JournalOutcomeUnknownException unknown) {
                // keeps its type: the decision may be in the log, so the committer must not roll back
                throw new JournalOutcomeUnknownException(unknown.getMessage(), unknown);
            }
            if (f instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw (RuntimeException) f;
        }
    }

    /**
     * Caller holds the write lock. Writes every queued request (up to a batch's size) in one
     * transaction. Every request it takes ends finished, whatever is thrown: a committer left
     * parked on a request nobody will finish would wait forever.
     */
    private void writeBatch() {
        List<Request> batch = new ArrayList<>();
        for (Request r; batch.size() < MAX_BATCH && (r = queue.poll()) != null; ) {
            batch.add(r);
        }
        if (batch.isEmpty()) {
            return;
        }
        commitSent = false;
        batchStarted = measuredRequests.get() > 0 ? System.nanoTime() : 0;
        try {
            writeBatch(batch);
        } finally {
            for (Request r : batch) {
                if (r.state == QUEUED) { // only if something unforeseen was thrown
                    finish(List.of(r), commitSent
                            ? new JournalOutcomeUnknownException("Whether " + describe(List.of(r)) + " reached the database log " + t.url
                                    + " is unknown: an unexpected error after its COMMIT was sent (see the log); leave the branches to recovery", null)
                            : new IOException("Could not write " + describe(List.of(r)) + " to the database log " + t.url
                                    + ": an unexpected error before its COMMIT was sent (see the log)"));
                }
            }
        }
    }

    private void writeBatch(List<Request> batch) {
        if (fenced != null) {
            finish(batch, fenced);
            return;
        }
        if (closed.get()) {
            finish(batch, new IOException("The database log " + t.url + " was closed before " + describe(batch) + " could be written"));
            return;
        }
        long mark = ThreadLocalRandom.current().nextLong();
        if (writer != null && System.nanoTime() - writerAnsweredAt < ONE_TRIP_WINDOW_NANOS && checkedInsert() != null && onlyDecisions(batch)) {
            writeInOneTrip(batch, mark);
            return;
        }
        Connection c = null;
        try {
            boolean fresh = writer == null;
            c = writerConnection();
            try {
                checkAndInsert(c, batch, mark);
            } catch (SQLException e) {
                if (fresh) {
                    throw e;
                }
                // a connection kept since the last batch may have died meanwhile; nothing is committed yet: one more try on a new one
                log.debug("Database log {}: kept connection failed ({}); taking a new one", t.url, e.toString());
                discardWriter();
                c = writerConnection();
                checkAndInsert(c, batch, mark);
            }
        } catch (JournalFencedException e) {
            fence(e);
            finish(batch, e);
            return;
        } catch (SQLException | RuntimeException | Error e) { // Error too: a driver's assertion on a dead connection
            if (c != null) {
                Tables.rollbackQuietly(c);
            }
            discardWriter();
            failedUncommitted(batch, e);
            return;
        }
        commitSent = true;
        try {
            c.commit();
        } catch (SQLException | RuntimeException | Error e) {
            discardWriter(); // its state is unknown: the next batch takes a new one
            commitFailed(batch, mark, e);
            return;
        }
        written(batch);
    }

    /** The batch could not be written and nothing of it was committed: its committers may roll back. */
    private void failedUncommitted(List<Request> batch, Throwable e) {
        lastWriteFailure = "the database log " + t.url + " could not be written: " + e;
        finish(batch, new IOException("Could not write " + describe(batch) + " to the database log " + t.url
                + "; nothing of it was committed: " + e, e));
    }

    /** The batch is committed: counts the force and wakes its committers. */
    private void written(List<Request> batch) {
        writerAnsweredAt = System.nanoTime();
        forces++;
        if (lastWriteFailure != null) {
            lastWriteFailure = null;
        }
        finish(batch, null);
    }

    /**
     * A batch of decisions as one auto-committed statement: the check, the inserts and the commit in
     * one round trip. Taken only on a kept connection that answered within
     * {@link #ONE_TRIP_WINDOW_NANOS}: the statement's failure has no known outcome (it is its own
     * COMMIT) and is read back, so a connection that may have died while idle first goes the
     * two-trip way, whose first statement failing proves that nothing was written.
     */
    private void writeInOneTrip(List<Request> batch, long mark) {
        Connection c = writer;
        int inserted;
        commitSent = true;
        try {
            c.setAutoCommit(true); // no transaction is open on the writer between batches: nothing is sent
            inserted = checkedInsert(c, checkedInsert(), batch, mark);
            c.setAutoCommit(false);
        } catch (SQLException | RuntimeException | Error e) {
            discardWriter();
            commitFailed(batch, mark, e);
            return;
        }
        if (inserted == batch.size()) {
            written(batch);
            return;
        }
        if (inserted != 0) { // cannot happen (the node row is one row); the log tells what was written
            commitFailed(batch, mark, new SQLException("the checked insert of " + batch.size() + " decisions reported " + inserted + " rows"));
            return;
        }
        commitSent = false; // the statement committed, and it wrote nothing: the epoch moved
        try {
            lease.lockAndCheck(c, mark); // throws: the node row's own check says who holds it now
            Tables.rollbackQuietly(c);
            throw new SQLException("the checked insert of " + batch.size() + " decisions into " + t.decision + " wrote none, though node '"
                    + nodeName + "' holds epoch " + lease.epoch());
        } catch (JournalFencedException e) {
            fence(e);
            finish(batch, e);
        } catch (SQLException | RuntimeException | Error e) {
            discardWriter();
            failedUncommitted(batch, e);
        }
    }

    /** The COMMIT of {@code batch} failed: its outcome is unknown until the log tells. */
    private void commitFailed(List<Request> batch, long mark, Throwable e) {
        {
            log.warn("Database log {}: the COMMIT of {} failed with no known outcome ({}); reading back on a fresh connection whether it landed",
                    t.url, describe(batch), e.toString());
            ReadBack outcome = readBack(batch, mark);
            switch (outcome) {
                case LANDED -> {
                    log.info("Database log {}: {} had been committed after all", t.url, describe(batch));
                    forces++;
                    finish(batch, null);
                }
                case ABSENT -> finish(batch, new IOException("Could not write " + describe(batch) + " to the database log " + t.url
                        + ": its COMMIT failed (" + e + ") and reading back on a fresh connection showed that it was not committed", e));
                case TAKEN_OVER -> finish(batch, new JournalOutcomeUnknownException("The COMMIT of " + describe(batch) + " to the database log "
                        + t.url + " failed (" + e + ") and before it could be read back another service took node '" + nodeName
                        + "' over, whose recovery may already have used the decision: leave the branches to recovery", e));
                case CLOSED -> finish(batch, new JournalOutcomeUnknownException("The database log " + t.url + " was closed before it could"
                        + " learn whether " + describe(batch) + " was committed (its COMMIT failed: " + e + "); the decision may be in the log:"
                        + " leave the branches to recovery", e));
                default -> throw new IllegalStateException(outcome.toString());
            }
        }
    }

    /** What a read-back learned about a batch whose COMMIT had no known outcome. */
    private enum ReadBack {
        /** The batch is in the log. */
        LANDED,
        /** The batch is not in the log, and the node is still this service's: it never will be. */
        ABSENT,
        /**
         * The batch's rows are not there, but another service holds the node now: its recovery may have
         * found the decision and finished (and deleted) it, so absence proves nothing.
         */
        TAKEN_OVER,
        /** The journal was closed before the read-back succeeded. */
        CLOSED
    }

    /**
     * Inside the batch's transaction: checks the epoch (locking the node row until the COMMIT) and
     * inserts the batch. A batch of decisions alone takes one statement where the dialect has one
     * (one round trip before the COMMIT's); otherwise the node row's UPDATE, then JDBC batches.
     */
    private void checkAndInsert(Connection c, List<Request> batch, long mark) throws SQLException {
        String checked = checkedInsert();
        if (checked == null || !onlyDecisions(batch)) {
            lease.lockAndCheck(c, mark);
            insert(c, batch);
            return;
        }
        int inserted = checkedInsert(c, checked, batch, mark);
        if (inserted == 0) {
            lease.lockAndCheck(c, mark); // throws: the epoch moved, so nothing was written, and the node row's own check says by whom
        }
        if (inserted != batch.size()) {
            throw new SQLException("the checked insert of " + batch.size() + " decisions into " + t.decision + " reported " + inserted
                    + " rows, though node '" + nodeName + "' holds epoch " + lease.epoch());
        }
    }

    /** The dialect's one-statement checked insert, or null where it has none. */
    private String checkedInsert() {
        String checked = checkedInsert;
        if (checked == null) {
            checked = t.dialect.checkedDecisionInsert(t.node, t.decision);
            checkedInsert = checked == null ? "" : checked;
        }
        return checked == null || checked.isEmpty() ? null : checked;
    }

    /** Runs the checked insert of a batch of decisions; the count of rows it inserted (0: the epoch moved). */
    private int checkedInsert(Connection c, String sql, List<Request> batch, long mark) throws SQLException {
        int n = batch.size();
        byte[][] gtrids = new byte[n][];
        Long[] decidedAt = new Long[n];
        byte[][] branches = new byte[n][];
        for (int i = 0; i < n; i++) {
            CommitRecord r = batch.get(i).commit;
            gtrids[i] = r.gtrid().bytes();
            decidedAt[i] = r.decidedAtMillis();
            branches[i] = BranchCodec.encode(r.branches());
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, mark);
            ps.setString(2, nodeName);
            ps.setLong(3, lease.epoch());
            ps.setString(4, nodeName);
            ps.setArray(5, c.createArrayOf("bytea", gtrids));
            ps.setArray(6, c.createArrayOf("int8", decidedAt));
            ps.setArray(7, c.createArrayOf("bytea", branches));
            return ps.executeUpdate();
        }
    }

    private static boolean onlyDecisions(List<Request> batch) {
        for (Request r : batch) {
            if (r.commit == null) {
                return false;
            }
        }
        return true;
    }

    private void insert(Connection c, List<Request> batch) throws SQLException {
        int decisions = 0;
        int heuristicRows = 0;
        int resolutions = 0;
        for (Request r : batch) {
            decisions += r.commit != null ? 1 : 0;
            heuristicRows += r.heuristic != null ? 1 : 0;
            resolutions += r.resolved != null ? 1 : 0;
        }
        if (decisions > 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.decision
                    + " (gtrid, node, epoch, decided_at, branches) VALUES (?, ?, ?, ?, ?)")) {
                for (Request r : batch) {
                    if (r.commit != null) {
                        ps.setBytes(1, r.commit.gtrid().bytes());
                        ps.setString(2, nodeName);
                        ps.setLong(3, lease.epoch());
                        ps.setLong(4, r.commit.decidedAtMillis());
                        ps.setBytes(5, BranchCodec.encode(r.commit.branches()));
                        ps.addBatch();
                    }
                }
                executeBatch(ps, decisions);
            }
        }
        if (heuristicRows > 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.heuristic + " (node, epoch, seq, gtrid, bqual, resource_name,"
                    + " xa_code, decision_was_commit, at_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Request r : batch) {
                    HeuristicRecord h = r.heuristic;
                    if (h != null) {
                        ps.setString(1, nodeName);
                        ps.setLong(2, lease.epoch());
                        ps.setLong(3, r.heuristicSeq);
                        ps.setBytes(4, h.gtrid().bytes());
                        ps.setBytes(5, h.branch().bqual());
                        ps.setString(6, h.branch().resourceName());
                        ps.setInt(7, h.xaCode());
                        ps.setInt(8, h.decisionWasCommit() ? 1 : 0);
                        ps.setLong(9, h.atMillis());
                        ps.addBatch();
                    }
                }
                executeBatch(ps, heuristicRows);
            }
        }
        if (resolutions > 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.heuristic + " WHERE node = ? AND gtrid = ?")) {
                for (Request r : batch) {
                    if (r.resolved != null) {
                        ps.setString(1, nodeName);
                        ps.setBytes(2, r.resolved.bytes());
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        }
    }

    private void executeBatch(PreparedStatement ps, int rows) throws SQLException {
        int[] counts = ps.executeBatch();
        for (int n : counts) {
            if (n != 1 && n != java.sql.Statement.SUCCESS_NO_INFO) {
                throw new SQLException("a batched insert of " + rows + " rows reported " + n + " rows for one of them");
            }
        }
    }

    /**
     * After a COMMIT with no known outcome: on fresh connections, retrying with backoff until the
     * journal is closed, locks the node row (waiting for the old transaction to end) and reads
     * whether the batch landed. Null when closed first.
     */
    private ReadBack readBack(List<Request> batch, long mark) {
        long backoffMillis = 20;
        boolean interrupted = false;
        try {
            for (int attempt = 1; !closed.get(); attempt++) {
                Connection c = null;
                try {
                    c = connections.open();
                    NodeLease.Row row = lease.lockAndRead(c);
                    ReadBack outcome = row != null && row.lastBatch() == mark || anyRowOf(c, batch) ? ReadBack.LANDED
                            : row != null && row.epoch() == lease.epoch() ? ReadBack.ABSENT : ReadBack.TAKEN_OVER;
                    c.commit();
                    return outcome;
                } catch (SQLException | RuntimeException | Error e) {
                    log.warn("Database log {}: reading back the outcome of {} failed (attempt {}): {}; retrying in {} ms", t.url,
                            describe(batch), attempt, e.toString(), backoffMillis);
                    lastWriteFailure = "the database log " + t.url + " cannot be reached to learn whether a batch whose COMMIT failed"
                            + " was committed: " + e;
                    failQueued(e); // the log is unreachable: decisions queued meanwhile fail now, cleanly, instead of waiting
                    interrupted |= Thread.interrupted(); // an interrupt must not turn the backoff into a busy loop; kept for the caller
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(backoffMillis));
                    backoffMillis = Math.min(2000, backoffMillis * 2);
                } finally {
                    if (c != null) {
                        Tables.rollbackQuietly(c);
                        Connections.closeQuietly(c);
                    }
                }
            }
            return ReadBack.CLOSED;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Fails every request queued so far: none of them was sent, so none is in the log. */
    private void failQueued(Throwable cause) {
        List<Request> waiting = new ArrayList<>();
        for (Request r; (r = queue.poll()) != null; ) {
            waiting.add(r);
        }
        if (!waiting.isEmpty()) {
            finish(waiting, new IOException("Could not write " + describe(waiting) + " to the database log " + t.url
                    + ": it is unreachable (" + cause + "); nothing of it was written", cause));
        }
    }

    /** Whether a row the batch inserted exists (a later takeover may have overwritten the node row's mark). */
    private boolean anyRowOf(Connection c, List<Request> batch) throws SQLException {
        for (Request r : batch) {
            if (r.commit != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t.decision + " WHERE gtrid = ?")) {
                    ps.setBytes(1, r.commit.gtrid().bytes());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            }
            if (r.heuristic != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t.heuristic + " WHERE node = ? AND epoch = ? AND seq = ?")) {
                    ps.setString(1, nodeName);
                    ps.setLong(2, lease.epoch());
                    ps.setLong(3, r.heuristicSeq);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            }
        }
        return false; // resolutions only: deleting again is harmless, so "not written" lets the operator retry
    }

    /** Completes the batch's requests (failure null: all durable) and unparks their threads. */
    private void finish(List<Request> batch, Exception failure) {
        for (Request r : batch) {
            if (failure == null) {
                if (r.heuristic != null) {
                    heuristics.computeIfAbsent(r.heuristic.gtrid(), g -> new CopyOnWriteArrayList<>()).add(r.heuristic);
                }
                if (r.resolved != null) {
                    heuristics.remove(r.resolved);
                }
            }
            if (r.stats != null) {
                measuredRequests.decrementAndGet();
                if (failure == null) {
                    r.stats.record(WriteStats.UNKNOWN, batch.size(), System.nanoTime() - batchStarted);
                }
            }
            r.failure = failure;
            r.state = failure == null ? DONE : FAILED;
            LockSupport.unpark(r.thread);
        }
    }

    private Connection writerConnection() throws SQLException {
        if (writer == null) {
            writer = connections.open();
            writerAnsweredAt = System.nanoTime();
        }
        return writer;
    }

    private void discardWriter() {
        if (writer != null) {
            Connections.closeQuietly(writer);
            writer = null;
        }
    }

    private void fence(JournalFencedException e) {
        if (fenced == null) {
            fenced = e;
            if (adoptedBy == null) {
                log.error(e.getMessage());
            } else {
                log.info("Node '{}' lets adopted node '{}' go: {}", adoptedBy, nodeName, e.getMessage());
            }
        }
    }

    private static String describe(List<Request> batch) {
        int d = 0;
        int other = 0;
        Gtrid first = null;
        for (Request r : batch) {
            if (r.commit != null) {
                d++;
                first = first == null ? r.commit.gtrid() : first;
            } else {
                other++;
            }
        }
        String s = d == 1 ? "the commit decision of " + first : d > 1 ? d + " commit decisions (" + first + ", ...)" : "";
        if (other > 0) {
            s += (s.isEmpty() ? "" : " and ") + other + " heuristic outcome(s) or resolution(s)";
        }
        return s;
    }

    // ------------------------------------------------------------------ completions (deleted by the housekeeper)

    /** Queues the deletion of the decision's row for the background thread; not forced. Unknown gtrids are ignored. */
    @Override
    public void logCompleted(Gtrid gtrid) {
        if (closed.get() || pending.remove(gtrid) == null) {
            return;
        }
        housekeeper.completed(gtrid);
    }

    // ------------------------------------------------------------------ state

    /**
     * The decision for {@code gtrid} if it is pending. A null answer lets recovery presume abort and
     * roll the branch back, so before giving it the journal checks in the database that its node row
     * still holds this service's epoch: a service that another one has taken over no longer knows
     * every decision made under its node name, and gets a {@link JournalFencedException} instead (as
     * it does once fenced). A database it cannot reach gives a {@link JournalException}: no answer
     * rather than a guess. Only recovery asks, about branches it finds prepared and not live.
     */
    @Override
    public CommitRecord pendingCommit(Gtrid gtrid) {
        CommitRecord c = pending.get(gtrid);
        if (c != null) {
            return c;
        }
        JournalFencedException f = fenced;
        if (f != null) {
            throw f;
        }
        Connection conn = null;
        boolean interrupted = Thread.interrupted(); // set aside during JDBC calls, as in submit
        try {
            conn = connections.open();
            long current = lease.currentEpoch(conn);
            conn.commit();
            if (current != lease.epoch()) {
                throw new JournalException("The database log " + t.url + " cannot answer for " + gtrid + ": node '" + nodeName
                        + "' holds epoch " + current + " in " + t.node + ", not this service's " + lease.epoch()
                        + " (another service took it over); this service presumes nothing about its branches");
            }
            return pending.get(gtrid); // completed meanwhile: null; logged meanwhile: the decision
        } catch (SQLException e) {
            throw new JournalException("The database log " + t.url + " cannot be reached to confirm that node '" + nodeName
                    + "' still holds epoch " + lease.epoch() + " (" + e + "); nothing is presumed about " + gtrid + " until it can", e);
        } finally {
            if (conn != null) {
                Tables.rollbackQuietly(conn);
                Connections.closeQuietly(conn);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The fencing message once another service has taken the node over, else null: no new transaction may begin. */
    @Override
    public String refusal() {
        JournalFencedException f = fenced;
        return f == null ? null : f.getMessage();
    }

    /** Fenced, closed, or the last batch could not be written (cleared once one is), else null. */
    @Override
    public String failure() {
        JournalFencedException f = fenced;
        if (f != null) {
            return f.getMessage();
        }
        if (closed.get()) {
            return "the database log " + t.url + " is closed";
        }
        return lastWriteFailure;
    }

    @Override
    public Collection<CommitRecord> pendingCommits() {
        return List.copyOf(pending.values());
    }

    @Override
    public Collection<HeuristicRecord> heuristics() {
        List<HeuristicRecord> all = new ArrayList<>();
        heuristics.values().forEach(all::addAll);
        return all;
    }

    /** Database transactions committed with decisions, heuristics or resolutions since open (one per batch). */
    @Override
    public long forceCount() {
        return forces;
    }

    /**
     * Deletes the completed decisions still queued, ends the lease (so that a restart with this node
     * name need not wait for it to run out) and closes the log's connections. Committers still
     * queued get an {@link IOException}; a batch whose outcome is being read back stops reading.
     */
    @Override
    public void close() {
        close(Housekeeper.Ending.RELEASE);
    }

    private void close(Housekeeper.Ending ending) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writeLock.lock(); // waits for a batch in flight (a read-back stops: the journal is closed)
        try {
            writeBatch(); // fails whatever is still queued
            discardWriter();
        } finally {
            writeLock.unlock();
        }
        for (Request r; (r = queue.poll()) != null; ) {
            finish(List.of(r), new IOException("The database log " + t.url + " is closed"));
        }
        housekeeper.close(ending); // the last completions, then the lease ends (or the rows go)
    }
}
