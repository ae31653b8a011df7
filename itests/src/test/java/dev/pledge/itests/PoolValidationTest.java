package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Agroal's connection validation behind a {@link TransactionalDataSource}: a pooled MariaDB
 * connection killed on the server while idle is found dead and replaced, on borrow (even by the
 * first {@code getConnection()} of a transaction, which then enlists a healthy connection) or by
 * the background validation, and the pool's metrics count it.
 */
class PoolValidationTest {
    static final Accounts ACCOUNTS = new Accounts("adp_pool_validation", Servers::mariaDbConnection);

    @TempDir
    Path dir;

    TransactionService svc;

    @BeforeEach
    void start() throws SQLException {
        svc = TransactionService.builder().nodeName("adp-pool").logDirectory(dir).recoveryInterval(Duration.ZERO).build();
        ACCOUNTS.create(1, 100);
    }

    @AfterEach
    void stop() throws SQLException {
        svc.close();
        ACCOUNTS.drop();
    }

    private static long serverId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void kill(long id) throws SQLException {
        try (Connection admin = Servers.mariaDbConnection(); Statement s = admin.createStatement()) {
            s.execute("KILL " + id);
        }
    }

    @Test
    void connectionKilledWhileIdleIsReplacedOnBorrowAndTheTransactionEnlistsAHealthyOne() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("adp-borrow").xaDataSource(Servers.mariaDb())
                .maxPoolSize(1).validateOnBorrow(true).build()) {
            long first;
            try (Connection c = ds.getConnection()) {
                first = serverId(c);
            }
            kill(first);
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            long second;
            try (Connection c = ds.getConnection()) {
                second = serverId(c);
                ACCOUNTS.add(c, 0, 7);
            }
            tm.commit();
            assertNotEquals(first, second, "the killed connection was handed out again");
            assertEquals(107, ACCOUNTS.balance(0));
            assertEquals(1, ds.metrics().invalidCount(), ds.metrics().toString());
            assertEquals(2, ds.metrics().creationCount(), ds.metrics().toString());
        }
    }

    @Test
    void backgroundValidationRemovesAConnectionKilledWhileIdle() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("adp-background").xaDataSource(Servers.mariaDb())
                .maxPoolSize(2).validation(Duration.ofMillis(200)).build()) {
            long id;
            try (Connection c = ds.getConnection()) {
                id = serverId(c);
            }
            assertEquals(1, ds.metrics().availableCount());
            kill(id);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ds.metrics().invalidCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, ds.metrics().invalidCount(), "the background validation should find the dead connection: " + ds.metrics());
            assertEquals(0, ds.metrics().availableCount(), ds.metrics().toString());
            try (Connection c = ds.getConnection()) {
                assertTrue(c.isValid(2));
                assertNotEquals(id, serverId(c));
            }
        }
    }
}
