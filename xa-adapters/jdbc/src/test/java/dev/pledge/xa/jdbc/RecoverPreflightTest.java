package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.MysqlXADataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The check at build time that the configured user can list prepared transactions, which recovery
 * needs: on MariaDB 10.11 a user with only DML privileges can (no privilege is needed), and a server
 * that refuses fails the build with the fix instead of the first recovery pass after a crash.
 */
class RecoverPreflightTest {
    private static final String USER = "pledge_dml_only";

    @Test
    void onMariaDbAUserWithOnlyDmlPrivilegesPassesTheRecoverCheck() throws Exception {
        try (Connection root = DriverManager.getConnection("jdbc:mysql://127.0.0.1:3306/test", "root", "")) {
            try (Statement s = root.createStatement()) {
                s.execute("CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY 'dml-only'");
                s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON test.* TO '" + USER + "'@'%'");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB is needed on 127.0.0.1:3306 (root, no password): " + e.getMessage(), e);
        }
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl("jdbc:mysql://127.0.0.1:3306/test");
        ds.setUser(USER);
        ds.setPassword("dml-only");
        var xac = ds.getXAConnection();
        try (Connection c = xac.getConnection()) {
            DatabaseProbe.requireRecover(xac.getXAResource(), "dml-only", DatabaseProbe.facts(c)); // does not throw
        } finally {
            xac.close();
        }
    }

    @Test
    void aServerThatRefusesToListPreparedTransactionsFailsWithTheGrantToAdd() {
        XAResource refusing = new RefusingRecover();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DatabaseProbe.requireRecover(refusing, "orders", new DatabaseProbe.Facts("MySQL", "jdbc:mysql://db/orders")));
        assertTrue(e.getMessage().startsWith("Data source 'orders': the user cannot list prepared transactions on MySQL at jdbc:mysql://db/orders")
                && e.getMessage().contains("XA_RECOVER_ADMIN"), e.getMessage());
    }

    /** What MySQL 8's driver answers for a user without XA_RECOVER_ADMIN: XAER_RMERR from recover. */
    private static final class RefusingRecover implements XAResource {
        @Override
        public Xid[] recover(int flag) throws XAException {
            XAException e = new XAException("Access denied; you need (at least one of) the XA_RECOVER_ADMIN privilege(s) for this operation");
            e.errorCode = XAException.XAER_RMERR;
            throw e;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource xares) {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }

        @Override
        public void start(Xid xid, int flags) {
        }
    }
}
