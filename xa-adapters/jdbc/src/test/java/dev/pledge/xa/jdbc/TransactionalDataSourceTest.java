package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enlistment and recovery registration on an H2 file database (no server needed). */
class TransactionalDataSourceTest {
    static final String NODE = "unit-jdbc";

    @TempDir
    Path dir;

    TransactionService svc;
    TransactionManager tm;
    JdbcDataSource h2;

    @BeforeEach
    void start() throws Exception {
        svc = TransactionService.builder().nodeName(NODE).logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
        tm = svc.transactionManager();
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath());
        h2.setUser("sa");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            s.execute("INSERT INTO t VALUES (1, 0)");
        }
    }

    @AfterEach
    void stop() {
        svc.close();
    }

    private int committedValue() throws Exception {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void everyConnectionOfATransactionIsTheSameEnlistedOneAndReturnsToThePoolAtTheEnd() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).maxPoolSize(4).build()) {
            tm.begin();
            for (int i = 0; i < 3; i++) {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    assertFalse(c.getAutoCommit());
                    s.executeUpdate("UPDATE t SET v = v + 1");
                }
                assertEquals(1, ds.metrics().activeCount());
            }
            try (Connection c = ds.getConnection()) {
                assertThrows(SQLException.class, c::commit, "the transaction manager commits, not the application");
                assertThrows(SQLException.class, () -> c.setAutoCommit(true));
            }
            tm.commit();
            assertEquals(0, ds.metrics().activeCount());
            assertEquals(1, ds.metrics().creationCount(), "one physical connection served the whole transaction");
            assertEquals(3, committedValue());

            tm.begin();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE t SET v = 100");
            }
            tm.rollback();
            assertEquals(3, committedValue());
        }
    }

    @Test
    void outsideATransactionAConnectionIsAPlainAutoCommitOne() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).build();
             Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertTrue(c.getAutoCommit());
            s.executeUpdate("UPDATE t SET v = 7");
            assertEquals(7, committedValue(), "committed by the statement itself");
        }
    }

    @Test
    void thePoolHoldsAtMostTwentyConnectionsKeepsNoneIdleAndWaitsThirtySecondsForOneByDefault() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).build()) {
            var pool = ds.unwrap(io.agroal.api.AgroalDataSource.class).getConfiguration().connectionPoolConfiguration();
            assertEquals(20, pool.maxSize());
            assertEquals(0, pool.minSize());
            assertEquals(Duration.ofSeconds(30), pool.acquisitionTimeout());
        }
    }

    @Test
    void buildConnectsOnceSoAWrongUrlFailsThereNamingTheUrl() {
        JdbcDataSource missing = new JdbcDataSource();
        String url = "jdbc:h2:file:" + dir.resolve("no-such-db").toAbsolutePath();
        missing.setURL(url + ";IFEXISTS=TRUE");
        missing.setUser("sa");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TransactionalDataSource.builder(svc).name("missing").xaDataSource(missing).build());
        assertTrue(e.getMessage().startsWith("Data source 'missing' cannot connect to " + url), e.getMessage());
    }

    @Test
    void connectionJoinedToAnotherBranchStaysCheckedOutUntilTheTransactionEnds() throws Exception {
        JoiningXADataSource joining = new JoiningXADataSource();
        try (TransactionalDataSource one = TransactionalDataSource.builder(svc).name("one").xaDataSource(joining.wrap(h2)).build();
                TransactionalDataSource two = TransactionalDataSource.builder(svc).name("two").xaDataSource(joining.wrap(h2)).build()) {
            assertTrue(one.joinable() && two.joinable());
            tm.begin();
            try (Connection a = one.getConnection(); Statement s = a.createStatement()) {
                s.executeUpdate("UPDATE t SET v = v + 1");
            }
            Connection b = two.getConnection();
            assertEquals(List.of(XAResource.TMNOFLAGS, XAResource.TMJOIN), joining.startFlags, "the second connection joined");
            assertFalse(b.getAutoCommit(), "a joined connection takes part in the transaction, it does not auto-commit");
            b.close();
            assertEquals(1, two.metrics().activeCount(), "closed inside the transaction, the joined connection must stay checked out");
            try (Connection again = two.getConnection()) {
                assertEquals(1, two.metrics().activeCount(), "the same transaction gets the same joined connection again");
                assertFalse(again.getAutoCommit());
            }
            tm.commit();
            assertEquals(0, one.metrics().activeCount());
            assertEquals(0, two.metrics().activeCount());
            assertEquals(1, two.metrics().availableCount(), "returned to the pool exactly once");
            assertEquals(1, committedValue());
        }
    }

    @Test
    void buildRegistersTheDataSourceForRecoveryUnderItsName() throws Exception {
        // A branch of this node left prepared by a "crashed" coordinator: no commit decision, so presumed abort.
        byte[] node = (NODE + ":").getBytes(StandardCharsets.UTF_8);
        byte[] gtrid = Arrays.copyOf(node, node.length + 16);
        gtrid[gtrid.length - 1] = 42;
        Xid xid = new Xid() {
            @Override
            public int getFormatId() {
                return 0x504C4447;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return gtrid;
            }

            @Override
            public byte[] getBranchQualifier() {
                return new byte[] {0, 0, 0, 1};
            }
        };
        XAConnection xac = h2.getXAConnection();
        XAResource xar = xac.getXAResource();
        xar.start(xid, XAResource.TMNOFLAGS);
        try (Statement s = xac.getConnection().createStatement()) {
            s.executeUpdate("UPDATE t SET v = 99");
        }
        xar.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, xar.prepare(xid));
        // Crash the database with the branch still prepared: a clean close would roll it back.
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN IMMEDIATELY");
        } catch (java.sql.SQLException expected) {
            // the connection dies with the database
        }
        try {
            xac.close();
        } catch (java.sql.SQLException expected) {
            // already closed by the shutdown
        }

        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).build()) {
            RecoveryReport report = svc.recovery().runPass();
            assertEquals(1, report.rolledBack(), report.toString());
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, committedValue());
        }
    }
}
