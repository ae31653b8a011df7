package dev.pledge.tm.log.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The log's connections are set up its way: auto-commit off, read committed, idle transactions bounded. */
class ConnectionsTest {
    @Test
    void aPostgreSqlLogConnectionEndsTransactionsLeftIdleByAVanishedClient() throws Exception {
        try (Connection c = new Connections(LogDatabases.postgres(), Dialect.POSTGRESQL, Duration.ofSeconds(30)).open();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW idle_in_transaction_session_timeout")) {
            rs.next();
            assertEquals("30s", rs.getString(1));
            assertFalse(c.getAutoCommit());
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
        }
    }

    @Test
    void aMariaDbLogConnectionEndsTransactionsLeftIdleByAVanishedClient() throws Exception {
        try (Connection c = new Connections(LogDatabases.mariadb(), Dialect.MYSQL, Duration.ofSeconds(3)).open();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@session.idle_transaction_timeout")) {
            rs.next();
            assertEquals(10, rs.getInt(1), "the larger of the lease and 10 s");
            assertFalse(c.getAutoCommit());
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
        }
    }

    @Test
    void urlsAreReportedWithoutTheirParameters() {
        assertEquals("jdbc:postgresql://db:5432/log", Connections.withoutParameters("jdbc:postgresql://db:5432/log?password=secret&ssl=true"));
        assertEquals("jdbc:h2:file:/tmp/log", Connections.withoutParameters("jdbc:h2:file:/tmp/log;PASSWORD=x"));
        assertEquals("jdbc:mysql://db/log", Connections.withoutParameters("jdbc:mysql://db/log"));
    }
}
