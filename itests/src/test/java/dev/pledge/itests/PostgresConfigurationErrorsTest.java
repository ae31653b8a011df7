package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * Configuration errors of a PostgreSQL data source, on real servers. A real PostgreSQL with its default {@code max_prepared_transactions = 0} (a cluster of the
 * test's own: the shared server has prepared transactions on) is refused when the data source is
 * built, with the setting, the URL and the fix, instead of failing every two-phase commit later.
 */
class PostgresConfigurationErrorsTest {
    @TempDir
    Path dir;

    @Test
    void postgresWithoutPreparedTransactionsIsRefusedAtBuildWithTheFix() throws Exception {
        try (ThrowawayPostgres pg = ThrowawayPostgres.start("max_prepared_transactions=0");
                TransactionService svc = TransactionService.builder().nodeName("adp-no-prepare").logDirectory(dir)
                        .recoveryInterval(Duration.ZERO).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> TransactionalDataSource.builder(svc).name("adp-pg0").xaDataSource(pg.xaDataSource()).build());
            assertEquals("PostgreSQL at " + pg.url() + " has max_prepared_transactions = 0; set it > 0 (e.g. in conf.d) and restart"
                    + " the server: XA needs PREPARE TRANSACTION", e.getMessage(), "the URL without pgjdbc's list of every property");
            assertTrue(svc.recovery().runPass().isClean(), "nothing was registered for recovery by the refused data source");
        }
    }

    @Test
    void wrongPostgresUrlFailsAtBuildNamingHostPortAndDatabase() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + Servers.freePort() + "/shop";
        PGXADataSource wrong = new PGXADataSource();
        wrong.setUrl(url);
        wrong.setUser("postgres");
        wrong.setConnectTimeout(2);
        try (TransactionService svc = TransactionService.builder().nodeName("adp-wrong-url").logDirectory(dir)
                .recoveryInterval(Duration.ZERO).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> TransactionalDataSource.builder(svc).name("adp-shop").xaDataSource(wrong).build());
            assertTrue(e.getMessage().startsWith("Data source 'adp-shop' cannot connect to " + url + ": "), e.getMessage());
            assertTrue(e.getMessage().length() < 400, "a precise message, not pgjdbc's property list: " + e.getMessage());
            assertTrue(e.getMessage().contains("Check the URL"), e.getMessage());
        }
    }
}
