package dev.pledge.tm.log.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.JournalException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 writes committed data up to WRITE_DELAY (500 ms) after COMMIT returns: a halted JVM lost a
 * decision that way and recovery split the transaction. The log turns the delay off, and refuses an
 * H2 database whose user cannot.
 */
class H2LogDurabilityTest {
    @TempDir
    Path tmp;

    private static long writeDelay(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            assertTrue(rs.next());
            return Long.parseLong(rs.getString(1).trim());
        }
    }

    @Test
    void theLogTurnsOffH2sWriteDelaySoThatACommittedDecisionIsWritten() throws Exception {
        String url = "jdbc:h2:file:" + tmp.resolve("log").toAbsolutePath();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        try (Connection c = ds.getConnection()) {
            assertTrue(writeDelay(c) > 0, "H2's default delays writes");
        }
        try (DatabaseJournal j = DatabaseJournal.open(ds, "pledge_", "h2-durable", Duration.ofSeconds(30))) {
            try (Connection c = ds.getConnection()) {
                assertEquals(0, writeDelay(c));
            }
        }
    }

    @Test
    void anH2LogWhoseUserMayNotTurnOffTheWriteDelayIsRefused() throws Exception {
        String url = "jdbc:h2:file:" + tmp.resolve("log2").toAbsolutePath();
        try (Connection admin = DriverManager.getConnection(url, "sa", "")) {
            try (Statement s = admin.createStatement()) {
                s.execute("CREATE USER logger PASSWORD 'pw'");
                s.execute("GRANT ALL ON SCHEMA PUBLIC TO logger");
            }
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(url);
            ds.setUser("logger");
            ds.setPassword("pw");
            JournalException e = assertThrows(JournalException.class, () -> DatabaseJournal.open(ds, "pledge_", "h2-lazy", Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("WRITE_DELAY=0"), e.getMessage());
        }
    }
}
