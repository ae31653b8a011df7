package dev.pledge.tm.log.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.JournalFencedException;
import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The database log's own rules: schema, node rows and leases, fencing. */
class DatabaseJournalTest {
    private static final AtomicLong SEQ = new AtomicLong();
    static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private DataSource ds;
    private final String prefix = LogDatabases.uniquePrefix("dj");

    private DataSource ds(String database) {
        ds = LogDatabases.of(database, tmp);
        LogDatabases.dropTables(ds, prefix);
        return ds;
    }

    @AfterEach
    void drop() {
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }

    static CommitRecord decision(String node) {
        byte[] n = node.getBytes(StandardCharsets.UTF_8);
        byte[] g = java.util.Arrays.copyOf(n, n.length + Gtrid.SUFFIX_LENGTH);
        g[n.length] = ':';
        long seq = SEQ.incrementAndGet() + System.nanoTime();
        for (int i = 0; i < 8; i++) {
            g[n.length + 9 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return new CommitRecord(new Gtrid(g), List.of(new BranchRecord(new byte[] {1}, "a"), new BranchRecord(new byte[] {2}, "b")),
                System.currentTimeMillis());
    }

    private long decisionRows(Gtrid g) {
        return LogDatabases.decisionRows(ds, prefix, g.bytes());
    }

    @Test
    void onPostgreSqlALoneDecisionIsOneAutoCommittedStatementOnAWarmConnectionAndAStatementAndACommitOnACold() throws Exception {
        StatementCountingDataSource counted = new StatementCountingDataSource(ds("postgresql"));
        try (DatabaseJournal j = DatabaseJournal.open(counted.dataSource(), prefix, "trips", Duration.ofMinutes(10))) {
            counted.clear();
            CommitRecord first = decision("trips");
            j.logCommit(first); // the connection of the open: not known to be alive until it answers
            assertEquals(2, counted.sent().size(), "cold: " + counted.sent());
            assertTrue(counted.sent().get(0).startsWith("WITH n AS (UPDATE " + prefix + "node") && counted.sent().get(1).equals("COMMIT"),
                    counted.sent().toString());
            counted.clear();
            List<CommitRecord> warm = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                CommitRecord d = decision("trips");
                j.logCommit(d);
                warm.add(d);
            }
            List<String> sent = counted.sent();
            assertEquals(10, sent.size(), "warm: one statement per lone decision, and no COMMIT: " + sent);
            assertTrue(sent.stream().allMatch(q -> q.startsWith("WITH n AS (UPDATE " + prefix + "node")), sent.toString());
            assertEquals(11, j.forceCount(), "one database transaction per batch");
            for (CommitRecord d : warm) {
                assertEquals(1, decisionRows(d.gtrid()), "committed by the statement itself");
            }
            assertEquals(1, decisionRows(first.gtrid()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "h2"})
    void onMariaDbAndH2ABatchIsTheNodeRowsUpdateTheBatchedInsertsAndOneCommit(String database) throws Exception {
        StatementCountingDataSource counted = new StatementCountingDataSource(ds(database));
        try (DatabaseJournal j = DatabaseJournal.open(counted.dataSource(), prefix, "trips", Duration.ofMinutes(10))) {
            for (int i = 0; i < 2; i++) { // cold and warm alike: these databases have no one-statement checked insert
                counted.clear();
                CommitRecord d = decision("trips");
                j.logCommit(d);
                List<String> sent = counted.sent();
                assertEquals(3, sent.size(), sent.toString());
                assertTrue(sent.get(0).startsWith("UPDATE " + prefix + "node SET last_batch = ") && sent.get(0).contains("epoch = ?"),
                        "the epoch check, which locks the node row: " + sent);
                assertTrue(sent.get(1).startsWith("INSERT INTO " + prefix + "decision "), sent.toString());
                assertEquals("COMMIT", sent.get(2));
                assertEquals(1, decisionRows(d.gtrid()));
            }
        }
    }

    @Test
    void tablesAreCreatedWithASchemaVersionRow() {
        ds("h2");
        long before = System.currentTimeMillis();
        long epoch;
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "n1", LEASE)) {
            epoch = j.epoch();
            assertTrue(epoch >= before && epoch <= System.currentTimeMillis(),
                    "a new row's first epoch is the clock in ms, never reused after its row is deleted: " + epoch);
        }
        assertEquals(Tables.VERSION, LogDatabases.queryLong(ds, "SELECT version FROM " + prefix + "schema_version WHERE name = 'pledge-log'"));
        assertEquals(epoch, LogDatabases.queryLong(ds, "SELECT epoch FROM " + prefix + "node WHERE name = 'n1'"));
    }

    /** The four tables and their columns as docs/database-log.md lists them (a SELECT of a missing column fails). */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void theTablesHoldTheColumnsTheDatabaseLogGuideDocuments(String database) throws Exception {
        ds(database);
        DatabaseJournal.open(ds, prefix, "n1", LEASE).close();
        String[][] documented = {
                {"schema_version", "version"},
                {"node", "name, epoch, lease_expires, taken_at, last_batch, renewed_at, adopted_by"},
                {"decision", "gtrid, node, epoch, decided_at, branches"},
                {"heuristic", "node, epoch, seq, gtrid, bqual, resource_name, xa_code, decision_was_commit"}};
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String[] table : documented) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT " + table[1] + " FROM " + prefix + table[0] + " WHERE 1 = 0")) {
                    assertEquals(table[1].split(", ").length, rs.getMetaData().getColumnCount(), prefix + table[0]);
                }
            }
            assertEquals(List.of("gtrid"), primaryKey(c, prefix + "decision"));
            assertEquals(List.of("node", "epoch", "seq"), primaryKey(c, prefix + "heuristic"));
            assertEquals(List.of("name"), primaryKey(c, prefix + "node"), "one row per node name");
        }
    }

    /** The columns of {@code table}'s primary key, in key order, lower-case (whatever case the database keeps names in). */
    private static List<String> primaryKey(java.sql.Connection c, String table) throws java.sql.SQLException {
        java.util.TreeMap<Integer, String> columns = new java.util.TreeMap<>();
        for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
            try (java.sql.ResultSet rs = c.getMetaData().getPrimaryKeys(c.getCatalog(), null, name)) {
                while (rs.next()) {
                    columns.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return List.copyOf(columns.values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aNewerSchemaStopsStartUpNamingTheTableAndWhatToDo(String database) {
        ds(database);
        DatabaseJournal.open(ds, prefix, "n1", LEASE).close();
        LogDatabases.update(ds, "UPDATE " + prefix + "schema_version SET version = 99");
        JournalException e = assertThrows(JournalException.class, () -> DatabaseJournal.open(ds, prefix, "n1", LEASE));
        assertTrue(e.getMessage().contains(prefix + "schema_version") && e.getMessage().contains("newer")
                && e.getMessage().contains("databaseLogTablePrefix"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aForeignTableWithTheLogsNameStopsStartUp(String database) {
        ds(database);
        LogDatabases.update(ds, "CREATE TABLE " + prefix + "decision (id INT PRIMARY KEY, note VARCHAR(10))");
        JournalException e = assertThrows(JournalException.class, () -> DatabaseJournal.open(ds, prefix, "n1", LEASE));
        assertTrue(e.getMessage().contains("Table " + prefix + "decision") && e.getMessage().contains("not a Pledge log table"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aSecondServiceWithALiveNodeNameFailsAtOnce(String database) {
        ds(database);
        long firstEpoch;
        try (DatabaseJournal first = DatabaseJournal.open(ds, prefix, "shop-1", LEASE)) {
            firstEpoch = first.epoch();
            long t0 = System.nanoTime();
            JournalException e = assertThrows(JournalException.class, () -> DatabaseJournal.open(ds, prefix, "shop-1", LEASE));
            assertTrue((System.nanoTime() - t0) < 5_000_000_000L, "at once");
            assertTrue(e.getMessage().contains("'shop-1' is held by a live Pledge service") && e.getMessage().contains(prefix + "node"),
                    e.getMessage());
            try (DatabaseJournal other = DatabaseJournal.open(ds, prefix, "shop-2", LEASE)) {
                assertTrue(other.epoch() >= firstEpoch, "another node name has a row of its own");
            }
        }
        try (DatabaseJournal again = DatabaseJournal.open(ds, prefix, "shop-1", LEASE)) {
            assertEquals(firstEpoch + 1, again.epoch(), "a cleanly closed service ends its lease: the name is taken back at once with a new epoch");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aRunningServiceRenewsItsLeaseSoThatItsNodeNameStaysTakenLongAfterOneLeaseDuration(String database) throws Exception {
        ds(database);
        Duration shortLease = Duration.ofMillis(600);
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "renewing", shortLease)) {
            Thread.sleep(4 * shortLease.toMillis());
            JournalException e = assertThrows(JournalException.class, () -> DatabaseJournal.open(ds, prefix, "renewing", shortLease));
            assertTrue(e.getMessage().contains("held by a live Pledge service"), e.getMessage());
            j.logCommit(decision("renewing")); // and it still writes under its epoch
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void anExpiredLeaseIsTakenOverWithTheNextEpochAndTheOldServiceIsFenced(String database) throws Exception {
        ds(database);
        try (DatabaseJournal old = DatabaseJournal.open(ds, prefix, "shop-1", LEASE)) {
            CommitRecord before = decision("shop-1");
            old.logCommit(before);
            // the old service looks dead: its lease ran out by the database's clock
            LogDatabases.update(ds, "UPDATE " + prefix + "node SET lease_expires = taken_at WHERE name = 'shop-1'");
            try (DatabaseJournal taker = DatabaseJournal.open(ds, prefix, "shop-1", LEASE)) {
                assertEquals(old.epoch() + 1, taker.epoch());
                assertEquals(List.of(before), List.copyOf(taker.pendingCommits()), "the new owner sees the old one's decisions");
                CommitRecord late = decision("shop-1");
                JournalFencedException e = assertThrows(JournalFencedException.class, () -> old.logCommit(late));
                assertTrue(e.getMessage().contains("fenced") && e.getMessage().contains("epoch " + taker.epoch()), e.getMessage());
                assertEquals(0, decisionRows(late.gtrid()), "a fenced batch writes nothing");
                assertThrows(JournalFencedException.class, () -> old.pendingCommit(late.gtrid()),
                        "a fenced log no longer knows every decision of its node: recovery must presume nothing from it");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void anEpochBumpedByHandFencesEveryLaterDecision(String database) throws Exception {
        ds(database);
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "shop-1", LEASE)) {
            CommitRecord ok = decision("shop-1");
            j.logCommit(ok);
            CommitRecord unknown = decision("shop-1");
            assertNull(j.pendingCommit(unknown.gtrid()), "while the node is this service's, an unknown decision is presumed aborted");
            assertEquals(1, LogDatabases.update(ds, "UPDATE " + prefix + "node SET epoch = epoch + 1 WHERE name = 'shop-1'"));
            for (int i = 0; i < 3; i++) {
                CommitRecord refused = decision("shop-1");
                JournalFencedException e = assertThrows(JournalFencedException.class, () -> j.logCommit(refused));
                assertEquals(j.epoch(), e.ownEpoch());
                assertEquals(j.epoch() + 1, e.currentEpoch());
                assertTrue(e.getMessage().contains("no longer holds epoch " + j.epoch()) && e.getMessage().contains("epoch " + (j.epoch() + 1)
                        + " since"), e.getMessage());
                assertEquals(0, decisionRows(refused.gtrid()));
            }
            assertEquals(1, decisionRows(ok.gtrid()), "what was written before the fencing stays");
            assertThrows(JournalFencedException.class, () -> j.pendingCommit(unknown.gtrid()));
            assertTrue(j.refusal().contains("fenced"), "no new transaction may begin: " + j.refusal());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void committersInFlightWhenTheEpochIsBumpedAreFencedAndWhatReturnedIsExactlyWhatIsWritten(String database) throws Exception {
        ds(database);
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "busy", LEASE)) {
            int threads = 8;
            java.util.concurrent.ConcurrentLinkedQueue<CommitRecord> returned = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.ConcurrentLinkedQueue<CommitRecord> fencedOut = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> other = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean bumped = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> workers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        CommitRecord d = decision("busy");
                        try {
                            j.logCommit(d);
                            returned.add(d);
                        } catch (JournalFencedException e) {
                            fencedOut.add(d);
                            if (!bumped.get()) {
                                other.add(new AssertionError("fenced before the bump: " + e.getMessage()));
                            }
                        } catch (Throwable e) {
                            other.add(e);
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            while (returned.size() < 100) {
                Thread.sleep(1);
            }
            bumped.set(true);
            LogDatabases.update(ds, "UPDATE " + prefix + "node SET epoch = epoch + 1 WHERE name = 'busy'");
            for (Thread w : workers) {
                w.join(60_000);
            }
            assertTrue(other.isEmpty(), "only fencing may fail a decision: " + other);
            assertTrue(fencedOut.size() > 0, "the committers after the bump are fenced");
            assertEquals(threads * 200, returned.size() + fencedOut.size());
            java.util.Set<Gtrid> inLog = LogDatabases.decisionGtrids(ds, prefix);
            java.util.Set<Gtrid> expected = new java.util.HashSet<>();
            returned.forEach(d -> expected.add(d.gtrid()));
            assertEquals(expected, inLog, "the log holds exactly the decisions whose logCommit returned, none that was fenced");
        }
    }

    @Test
    void decisionsOfOtherNodesInTheSameTablesAreNotLoaded() throws Exception {
        ds("h2");
        CommitRecord mine = decision("a");
        CommitRecord theirs = decision("b");
        try (DatabaseJournal a = DatabaseJournal.open(ds, prefix, "a", LEASE); DatabaseJournal b = DatabaseJournal.open(ds, prefix, "b", LEASE)) {
            a.logCommit(mine);
            b.logCommit(theirs);
        }
        try (DatabaseJournal a = DatabaseJournal.open(ds, prefix, "a", LEASE)) {
            assertEquals(List.of(mine), List.copyOf(a.pendingCommits()));
        }
    }

    @Test
    void completionsAreDeletedOffTheCommitPathAndTheTablesStayBounded() throws Exception {
        ds("h2");
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "n", LEASE)) {
            for (int i = 0; i < 50; i++) {
                CommitRecord d = decision("n");
                j.logCommit(d);
                j.logCompleted(d.gtrid());
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision"),
                    "the background thread deletes completed decisions while the service runs");
        }
    }

    /** docs/database-log.md: completions are deleted in transactions that do not touch the node row, so they never wait for a batch. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void completionsAreDeletedWhileABatchHoldsTheNodeRowLocked(String database) throws Exception {
        ds(database);
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "busy", LEASE)) {
            CommitRecord d = decision("busy");
            j.logCommit(d);
            try (java.sql.Connection batch = ds.getConnection(); java.sql.Statement s = batch.createStatement()) {
                batch.setAutoCommit(false); // as a batch does until its COMMIT: the node row locked
                assertEquals(1, s.executeUpdate("UPDATE " + prefix + "node SET last_batch = last_batch WHERE name = 'busy'"));
                j.logCompleted(d.gtrid());
                LogDatabases.await("deleted while the node row stayed locked", Duration.ofSeconds(5), () -> decisionRows(d.gtrid()) == 0);
                batch.rollback();
            }
        }
    }

    /** docs/cluster.md, the outage rule: renewals that stop without failing (a paused node) end the right to judge peers. */
    @Test
    void aLeaseWhoseRenewalsStallWithoutFailingIsNoLongerSteadyUntilItRenewsAgain() throws Exception {
        ds("postgresql");
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "stalled", Duration.ofMillis(900))) {
            LogDatabases.await("steady after a full lease of renewals", Duration.ofSeconds(5), j::renewingSteadily);
            try (java.sql.Connection other = ds.getConnection(); java.sql.Statement s = other.createStatement()) {
                other.setAutoCommit(false);
                s.executeUpdate("UPDATE " + prefix + "node SET last_batch = last_batch WHERE name = 'stalled'"); // renewals wait here
                LogDatabases.await("not steady once no renewal landed for two thirds of a lease", Duration.ofSeconds(5),
                        () -> !j.renewingSteadily());
                assertTrue(j.leaseState().startsWith("held (epoch "), "no renewal failed: " + j.leaseState());
                other.rollback();
            }
            LogDatabases.await("steady again once it renews", Duration.ofSeconds(5), j::renewingSteadily);
        }
    }

    @Test
    void aBadTablePrefixIsRefused() {
        ds("h2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseJournal.open(ds, "x; DROP", "n", LEASE));
        assertTrue(e.getMessage().contains("databaseLogTablePrefix"), e.getMessage());
    }
}
