package dev.pledge.tm.log.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.ClusterJournal;
import dev.pledge.tm.log.ClusterJournal.Peer;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Takeover of a node row at the log's level: one winner per race, live rows untouched, the version-1 schema migrated. */
class NodeTakeoverTest {
    static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private DataSource ds;
    private final String prefix = LogDatabases.uniquePrefix("takeover");

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

    /** A node that logged one decision and stopped: its lease has ended, its decision is still in doubt. */
    private CommitRecord deadNodeWithADecision(String node) throws Exception {
        CommitRecord d = DatabaseJournalTest.decision(node);
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, node, LEASE)) {
            j.logCommit(d);
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void sixNodesStartingAtOnceOnAnEmptyDatabaseAllStartAndShareOneSetOfTables(String database) throws Exception {
        ds(database);
        int nodes = 6;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(nodes);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(nodes);
        List<java.util.concurrent.Future<DatabaseJournal>> opened = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                String node = "starter-" + i;
                opened.add(pool.submit(() -> {
                    start.await();
                    return DatabaseJournal.open(ds, prefix, node, LEASE);
                }));
            }
            for (java.util.concurrent.Future<DatabaseJournal> f : opened) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS).close(); // throws what open() threw (PostgreSQL: a duplicate key in pg_type)
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(nodes, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "node"));
        assertEquals(Tables.VERSION, LogDatabases.queryLong(ds, "SELECT version FROM " + prefix + "schema_version"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void exactlyOneOfFourRacingPeersAdoptsANodeWhoseLeaseRanOut(String database) throws Exception {
        ds(database);
        CommitRecord d = deadNodeWithADecision("dead");
        List<DatabaseJournal> peers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            peers.add(DatabaseJournal.open(ds, prefix, "peer-" + i, LEASE));
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<ClusterJournal>> answers = new ArrayList<>();
            for (DatabaseJournal p : peers) {
                answers.add(threads.submit(() -> {
                    Peer seen = p.expiredPeers().stream().filter(x -> x.name().equals("dead")).findFirst().orElseThrow();
                    start.await();
                    return p.adopt(seen);
                }));
            }
            List<ClusterJournal> won = new ArrayList<>();
            for (Future<ClusterJournal> f : answers) {
                ClusterJournal j = f.get();
                if (j != null) {
                    won.add(j);
                }
            }
            assertEquals(1, won.size(), "exactly one peer adopts the node");
            ClusterJournal adopted = won.get(0);
            assertEquals(List.of(d.gtrid()), adopted.pendingCommits().stream().map(CommitRecord::gtrid).toList(),
                    "the adopter loaded the node's decision");
            DatabaseJournal.Node row = DatabaseJournal.inspect(ds, prefix).nodes().stream().filter(n -> n.name().equals("dead"))
                    .findFirst().orElseThrow();
            assertEquals(adopted.adoptedBy(), row.adoptedBy());
            assertTrue(row.live(), "the adopter holds the adopted node's lease");
            for (DatabaseJournal p : peers) {
                assertTrue(p.expiredPeers().isEmpty(), "nothing else to take over");
                assertNull(p.adopt(new Peer("dead", row.epoch())), "a live adopted row is not taken over");
            }
            adopted.close();
        } finally {
            threads.shutdownNow();
            peers.forEach(DatabaseJournal::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aNodeWhoseLeaseIsLiveIsNotTakenOverAndAStaleEpochWinsNothing(String database) throws Exception {
        ds(database);
        deadNodeWithADecision("dead");
        try (DatabaseJournal live = DatabaseJournal.open(ds, prefix, "live", LEASE);
             DatabaseJournal peer = DatabaseJournal.open(ds, prefix, "peer", LEASE)) {
            assertNull(peer.adopt(new Peer("live", live.epoch())), "its lease has not run out");
            Peer seen = peer.expiredPeers().get(0);
            try (DatabaseJournal back = DatabaseJournal.open(ds, prefix, "dead", LEASE)) { // the node restarted meanwhile
                assertNull(peer.adopt(seen), "the epoch it saw is gone");
                assertEquals(seen.epoch() + 1, back.epoch());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aVersion1LogIsMigratedInPlaceAndKeepsItsDecisions(String database) throws Exception {
        ds(database);
        CommitRecord d = deadNodeWithADecision("old");
        LogDatabases.update(ds, "ALTER TABLE " + prefix + "node DROP COLUMN adopted_by");
        LogDatabases.update(ds, "ALTER TABLE " + prefix + "node DROP COLUMN renewed_at");
        LogDatabases.update(ds, "UPDATE " + prefix + "schema_version SET version = 1");
        try (DatabaseJournal j = DatabaseJournal.open(ds, prefix, "old", LEASE)) {
            assertEquals(List.of(d.gtrid()), j.pendingCommits().stream().map(CommitRecord::gtrid).toList());
        }
        assertEquals(Tables.VERSION, LogDatabases.queryLong(ds, "SELECT version FROM " + prefix + "schema_version"));
        DatabaseJournal.Node row = DatabaseJournal.inspect(ds, prefix).nodes().get(0);
        assertNull(row.adoptedBy());
    }
}
