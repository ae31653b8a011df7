package dev.pledge.tm.log.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The database log when the network or the database fails under it, through a {@link CuttingProxy}
 * on loopback: a COMMIT whose answer never comes is read back, never guessed; a database that is
 * gone fails decisions cleanly and the log heals when it is back.
 */
class DatabaseJournalFaultTest {
    /** Long, so that no lease renewal (a COMMIT of its own) runs into the proxy's cut. */
    private static final Duration LEASE = Duration.ofMinutes(10);
    private final String prefix = LogDatabases.uniquePrefix("fault");
    private DataSource direct;

    @AfterEach
    void drop() {
        if (direct != null) {
            LogDatabases.dropTables(direct, prefix);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aCommitCutWithNoKnownOutcomeIsReadBackSoThatNoDecisionIsSplit(String database) throws Exception {
        direct = LogDatabases.of(database, null);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort(database));
             DatabaseJournal j = DatabaseJournal.open(LogDatabases.throughPort(database, proxy.port()), prefix, "cut-node", LEASE)) {
            int reached = 0;
            int lost = 0;
            for (int round = 1; round <= 24; round++) {
                boolean reachesServer = round <= 4 ? round % 2 == 1 : random.nextBoolean();
                // PostgreSQL: a batch on a connection that answered within the window is one auto-committed statement (cut as
                // the COMMIT it is); after a pause (and at open) it is the statement, then a COMMIT: both ways are cut both ways
                boolean pause = database.equals("postgresql") && (round == 3 || round == 4 || round % 8 == 0);
                if (pause) {
                    Thread.sleep(LogDatabases.ONE_TRIP_WINDOW_MILLIS);
                }
                String what = database + " round " + round + " (seed " + seed + ", COMMIT " + (reachesServer ? "reached" : "did not reach")
                        + " the server" + (pause ? ", after a pause" : "") + ")";
                CommitRecord d = DatabaseJournalTest.decision("cut-node");
                int cutsBefore = proxy.cuts();
                proxy.arm(reachesServer ? CuttingProxy.Cut.AFTER_COMMIT_REACHED_SERVER : CuttingProxy.Cut.BEFORE_COMMIT_REACHED_SERVER);
                boolean returned;
                try {
                    j.logCommit(d);
                    returned = true;
                } catch (IOException e) {
                    returned = false;
                    assertTrue(e.getMessage().contains("was not committed") && e.getMessage().contains(j.url()), what + ": " + e.getMessage());
                }
                assertEquals(cutsBefore + 1, proxy.cuts(), what + ": the proxy must have cut the decision's COMMIT");
                long rows = LogDatabases.decisionRows(direct, prefix, d.gtrid().bytes());
                assertEquals(returned ? 1 : 0, rows, what + ": logCommit " + (returned ? "returned (durable)" : "failed (not durable)")
                        + " but the log holds " + rows + " rows: a split outcome");
                assertEquals(reachesServer, returned, what + ": the read-back must find what the server did");
                if (returned) {
                    reached++;
                    assertNotNull(j.pendingCommit(d.gtrid()));
                } else {
                    lost++;
                    assertNull(j.pendingCommit(d.gtrid()), what + ": a decision known not to be written must not be recovered as committed");
                }
            }
            assertTrue(reached > 0 && lost > 0, "both cases: " + reached + " reached, " + lost + " lost");
            CommitRecord after = DatabaseJournalTest.decision("cut-node");
            j.logCommit(after);
            assertEquals(1, LogDatabases.decisionRows(direct, prefix, after.gtrid().bytes()), "the log goes on after the cuts");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aNodeTakenOverBeforeTheReadBackMakesTheOutcomeUnknownNotAbsent(String database) throws Exception {
        direct = LogDatabases.of(database, null);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort(database));
             DatabaseJournal j = DatabaseJournal.open(LogDatabases.throughPort(database, proxy.port()), prefix, "taken", LEASE)) {
            CommitRecord d = DatabaseJournalTest.decision("taken");
            proxy.armThenDown(CuttingProxy.Cut.AFTER_COMMIT_REACHED_SERVER);
            java.util.concurrent.CompletableFuture<Throwable> result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    j.logCommit(d);
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (proxy.cuts() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, proxy.cuts(), "the decision's COMMIT must have been cut");
            // while the log is unreachable, another service takes the node over, recovers the decision and deletes it
            while (LogDatabases.decisionRows(direct, prefix, d.gtrid().bytes()) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, LogDatabases.decisionRows(direct, prefix, d.gtrid().bytes()), "the COMMIT reached the server");
            LogDatabases.update(direct, "UPDATE " + prefix + "node SET epoch = epoch + 1, last_batch = 42 WHERE name = 'taken'"); // its own batches mark the row
            LogDatabases.update(direct, "DELETE FROM " + prefix + "decision WHERE node = 'taken'");
            proxy.setDown(false);
            Throwable e = result.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(e instanceof dev.pledge.tm.log.JournalOutcomeUnknownException, "absence after a takeover proves nothing: " + e);
            assertTrue(e.getMessage().contains("another service took node 'taken' over"), e.getMessage());
            assertNotNull(j.pendingCommit(d.gtrid()), "a decision that may exist stays pending");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aLogDatabaseThatIsGoneFailsDecisionsCleanlyNamingTheUrlAndTheLogHealsWhenItReturns(String database) throws Exception {
        direct = LogDatabases.of(database, null);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort(database));
             DatabaseJournal j = DatabaseJournal.open(LogDatabases.throughPort(database, proxy.port()), prefix, "down-node", LEASE)) {
            j.logCommit(DatabaseJournalTest.decision("down-node"));
            proxy.setDown(true);
            // past the window in which PostgreSQL's kept connection sends a batch as one auto-committed statement (whose
            // failure has no known outcome): an idle connection's batch goes the two-trip way, and its first statement
            // failing proves nothing was written
            Thread.sleep(LogDatabases.ONE_TRIP_WINDOW_MILLIS);
            for (int i = 0; i < 3; i++) {
                CommitRecord d = DatabaseJournalTest.decision("down-node");
                IOException e = assertThrows(IOException.class, () -> j.logCommit(d));
                assertTrue(e.getMessage().contains("database log " + j.url()) && e.getMessage().contains("nothing of it was committed")
                        && e.getCause() != null, e.getMessage());
                assertTrue(j.url().contains("127.0.0.1:" + proxy.port()), j.url());
                assertTrue(j.pendingCommits().stream().noneMatch(p -> p.gtrid().equals(d.gtrid())), "a failed decision is not pending");
                JournalException unsure = assertThrows(JournalException.class, () -> j.pendingCommit(d.gtrid()));
                assertTrue(unsure.getMessage().contains("cannot be reached"), "recovery presumes no abort while the log is away: "
                        + unsure.getMessage());
                assertEquals(0, LogDatabases.decisionRows(direct, prefix, d.gtrid().bytes()));
            }
            proxy.setDown(false);
            CommitRecord healed = DatabaseJournalTest.decision("down-node");
            j.logCommit(healed); // no restart: a new connection
            assertEquals(1, LogDatabases.decisionRows(direct, prefix, healed.gtrid().bytes()));
        }
    }

    @Test
    void aDecisionSentInOneTripWhenPostgreSqlVanishesWaitsForTheReadBackAndFailsOnlyOnceTheLogShowsItAbsent() throws Exception {
        direct = LogDatabases.of("postgresql", null);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort("postgresql"));
             DatabaseJournal j = DatabaseJournal.open(LogDatabases.throughPort("postgresql", proxy.port()), prefix, "gone-node", LEASE)) {
            j.logCommit(DatabaseJournalTest.decision("gone-node")); // the writer has answered just now: the next batch is one trip
            proxy.setDown(true);
            CommitRecord d = DatabaseJournalTest.decision("gone-node");
            CompletableFuture<Throwable> result = logCommitAsync(j, d);
            Thread.sleep(1000);
            assertFalse(result.isDone(), "a one-trip batch that failed has no known outcome: its committer waits for the read-back");
            CommitRecord behind = DatabaseJournalTest.decision("gone-node");
            Throwable queued = logCommitAsync(j, behind).get(10, TimeUnit.SECONDS);
            assertTrue(queued instanceof IOException && !(queued instanceof dev.pledge.tm.log.JournalOutcomeUnknownException)
                    && queued.getMessage().contains("nothing of it was written"), "a decision queued behind it fails cleanly: " + queued);
            assertFalse(result.isDone(), "the first one still waits for the read-back");
            assertNotNull(j.failure(), "health reports the log down meanwhile");
            proxy.setDown(false);
            Throwable e = result.get(30, TimeUnit.SECONDS);
            assertTrue(e instanceof IOException && !(e instanceof dev.pledge.tm.log.JournalOutcomeUnknownException)
                    && e.getMessage().contains("was not committed"), "read back: absent, so the committer may roll back: " + e);
            assertEquals(0, LogDatabases.decisionRows(direct, prefix, d.gtrid().bytes()));
            assertTrue(j.pendingCommits().stream().noneMatch(p -> p.gtrid().equals(d.gtrid())), "an absent decision is not pending");
            CommitRecord healed = DatabaseJournalTest.decision("gone-node");
            j.logCommit(healed);
            assertEquals(1, LogDatabases.decisionRows(direct, prefix, healed.gtrid().bytes()));
        }
    }
    @Test
    void aLogClosedBeforeItKnowsWhetherADecisionLandedSaysTheOutcomeIsUnknown() throws Exception {
        direct = LogDatabases.of("postgresql", null);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort("postgresql"))) {
            DatabaseJournal j = DatabaseJournal.open(LogDatabases.throughPort("postgresql", proxy.port()), prefix, "closing-node", LEASE);
            j.logCommit(DatabaseJournalTest.decision("closing-node")); // warm: the next batch goes in one trip, its own COMMIT
            proxy.setDown(true);
            CompletableFuture<Throwable> result = logCommitAsync(j, DatabaseJournalTest.decision("closing-node"));
            Thread.sleep(1000);
            assertFalse(result.isDone(), "its committer waits for the read-back");
            j.close();
            Throwable e = result.get(30, TimeUnit.SECONDS);
            assertTrue(e instanceof dev.pledge.tm.log.JournalOutcomeUnknownException && e.getMessage().contains("closed before"),
                    "not a failure its committer may roll back on: the branches stay prepared for recovery: " + e);
        }
    }

    /** Logs {@code d} on another thread; the future gives what {@code logCommit} threw, or null when it returned. */
    private static CompletableFuture<Throwable> logCommitAsync(DatabaseJournal j, CommitRecord d) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                j.logCommit(d);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
    }
}
