package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an enlisted MariaDB connection sends per transaction, counted by the server itself
 * ({@code Com_set_option}: the SET statements of the session), and that the connection still
 * behaves as auto-commit outside transactions and as a local transaction when asked to.
 */
class MariaDbEnlistedConnectionRoundTripsTest {
    private static final String TABLE = "pledge_it_roundtrips";

    @TempDir
    Path dir;

    TransactionService svc;
    TransactionManager tm;
    TransactionalDataSource maria;

    @BeforeEach
    void start() throws Exception {
        Servers.requireMariaDb();
        try (Connection c = Servers.mariaDbConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB");
            s.execute("DELETE FROM " + TABLE);
            s.execute("INSERT INTO " + TABLE + " VALUES (1, 0)");
        }
        svc = TransactionService.builder().nodeName("dbperf-roundtrips").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .build();
        tm = svc.transactionManager();
        maria = TransactionalDataSource.builder(svc).name("maria").xaDataSource(Servers.mariaDb()).maxPoolSize(1).build();
    }

    @AfterEach
    void stop() {
        if (maria != null) {
            maria.close();
        }
        if (svc != null) {
            svc.close();
        }
    }

    @Test
    void transactionsOnAPooledConnectionSendNoAutoCommitSwitches() throws Exception {
        long[] setsSeen = new long[3];
        for (int i = 0; i < setsSeen.length; i++) {
            tm.begin();
            try (Connection c = maria.getConnection()) {
                assertFalse(c.getAutoCommit(), "an enlisted connection reports auto-commit off");
                increment(c);
                setsSeen[i] = setStatements(c);
            }
            tm.commit();
        }
        // the pool holds one connection, so all three transactions ran on the same session
        assertEquals(setsSeen[0], setsSeen[1], "SET statements sent between the first and the second transaction");
        assertEquals(setsSeen[1], setsSeen[2], "SET statements sent between the second and the third transaction");
        assertEquals(3, committed(), "every transaction committed its update");
    }

    @Test
    void outsideTransactionsTheConnectionAutoCommitsAndRunsLocalTransactions() throws Exception {
        tm.begin();
        try (Connection c = maria.getConnection()) {
            increment(c);
        }
        tm.commit();
        try (Connection c = maria.getConnection()) {
            assertTrue(c.getAutoCommit(), "back in the pool with auto-commit on");
            increment(c);
            assertEquals(2, committed(), "an update outside a transaction commits by itself");
            c.setAutoCommit(false);
            increment(c);
            c.rollback();
            assertEquals(2, committed(), "a local transaction's rolled-back update is gone");
            increment(c);
            c.commit();
            assertEquals(3, committed(), "a local transaction's committed update is there");
        }
        tm.begin();
        try (Connection c = maria.getConnection()) {
            assertFalse(c.getAutoCommit());
            increment(c);
        }
        tm.rollback();
        assertEquals(3, committed(), "the rolled-back XA transaction left nothing");
        try (Connection c = maria.getConnection()) {
            assertTrue(c.getAutoCommit(), "the pool restored auto-commit after the local transaction and the XA rollback");
        }
    }

    private static void increment(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE " + TABLE + " SET n = n + 1 WHERE id = 1"));
        }
    }

    private static long setStatements(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_set_option'")) {
            assertTrue(r.next(), "MariaDB reports Com_set_option");
            return r.getLong(2);
        }
    }

    private static int committed() throws SQLException {
        try (Connection c = Servers.mariaDbConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT n FROM " + TABLE + " WHERE id = 1")) {
            r.next();
            return r.getInt(1);
        }
    }
}
