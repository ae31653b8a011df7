package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.MysqlXADataSource;
import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * The pre-flight checks of server settings at {@code build()}: on the real MariaDB 10.11 and
 * PostgreSQL 15 of the tests, and the version rule for servers that roll prepared branches back on
 * disconnect.
 */
class DriverPreflightTest {
    @TempDir
    Path dir;

    private static Connection connect(String url, String user) {
        try {
            return DriverManager.getConnection(url, user, "");
        } catch (SQLException e) {
            throw new IllegalStateException("this test needs the server at " + url + " (user " + user + "): " + e.getMessage(), e);
        }
    }

    @Test
    void theMariaDbOfTheTestsKeepsPreparedBranchesAcrossDisconnectsSoItPasses() throws Exception {
        try (Connection c = connect("jdbc:mysql://127.0.0.1:3306/test", "root")) {
            DatabaseProbe.Facts facts = DatabaseProbe.facts(c);
            assertTrue(facts.isMySqlFamily(), facts.toString());
            assertTrue(c.getMetaData().getDatabaseProductVersion().contains("MariaDB"), c.getMetaData().getDatabaseProductVersion());
            assertEquals(List.of(), DriverPreflight.check(c, facts, 20));
        }
    }

    @Test
    void serversThatRollPreparedBranchesBackOnDisconnectAreRefusedNamingTheVersionAndTheUpgrade() {
        for (String old : List.of("10.4.32-MariaDB-1:10.4.32+maria~ubu2004", "5.5.5-10.3.39-MariaDB-log", "5.7.6-log", "5.6.51")) {
            Optional<DriverPreflight.Finding> f = DriverPreflight.preparedBranchesSurviveDisconnect(old);
            assertTrue(f.isPresent() && f.get().fatal(), old);
            String message = f.get().message("orders", new DatabaseProbe.Facts("MySQL", "jdbc:mysql://db:3306/orders"));
            assertTrue(message.startsWith("Data source 'orders' (MySQL at jdbc:mysql://db:3306/orders): server version " + old + ": ")
                    && message.contains("rolls a prepared XA branch back when its connection closes") && message.contains("Upgrade"), message);
        }
        for (String fine : List.of("10.5.0-MariaDB", "5.5.5-10.11.19-MariaDB-0+deb12u1", "10.11.6-MariaDB-0+deb12u1", "11.4.2-MariaDB", "5.7.7", "8.0.36", "9.1.0")) {
            assertEquals(Optional.empty(), DriverPreflight.preparedBranchesSurviveDisconnect(fine), fine);
        }
    }

    @Test
    void aPostgresPoolLargerThanMaxPreparedTransactionsIsWarnedAboutNamingTheSettingAndStillBuilds() throws Exception {
        int max;
        try (Connection c = connect("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres")) {
            DatabaseProbe.Facts facts = DatabaseProbe.facts(c);
            max = DatabaseProbe.maxPreparedTransactions(c, facts.url());
            assertEquals(List.of(), DriverPreflight.check(c, facts, max));
            List<DriverPreflight.Finding> found = DriverPreflight.check(c, facts, max + 1);
            assertEquals(1, found.size(), found.toString());
            DriverPreflight.Finding f = found.get(0);
            assertTrue(!f.fatal() && f.setting().equals("max_prepared_transactions = " + max)
                    && f.problem().contains("maxPoolSize of " + (max + 1)) && f.fix().contains("Raise max_prepared_transactions"), f.toString());
        }
        PGXADataSource pg = new PGXADataSource();
        pg.setUrl("jdbc:postgresql://127.0.0.1:5432/postgres");
        pg.setUser("postgres");
        try (TransactionService svc = TransactionService.builder().nodeName("integrations-preflight").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build();
                TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("pg-large-pool").xaDataSource(pg)
                        .maxPoolSize(max + 1).build()) {
            try (Connection c = ds.getConnection()) {
                assertTrue(c.isValid(5), "a warning only: the data source works");
            }
        }
    }

    @Test
    void mariaDbWithPinGlobalTxToPhysicalConnectionIsNotRefusedForItIsNotNeeded() throws Exception {
        MysqlXADataSource pinned = new MysqlXADataSource();
        pinned.setUrl("jdbc:mysql://127.0.0.1:3306/test?pinGlobalTxToPhysicalConnection=true");
        pinned.setUser("root");
        pinned.setPassword("");
        var xac = pinned.getXAConnection();
        try (Connection c = xac.getConnection()) {
            assertEquals("com.mysql.cj.jdbc.SuspendableXAConnection", xac.getClass().getName(), "the setting is in effect");
            assertEquals(List.of(), DriverPreflight.check(c, DatabaseProbe.facts(c), 20));
        } finally {
            xac.close();
        }
    }
}
