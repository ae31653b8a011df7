package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mysql.cj.jdbc.MysqlXADataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * Two behaviours of MariaDB 10.11 with mysql-connector-j that docs/driver-facts.md states: Pledge does
 * not need {@code pinGlobalTxToPhysicalConnection} (a branch prepared on one connection commits from
 * another, with the setting on or off), and a prepared branch that wrote nothing does not survive its
 * connection.
 */
class MariaDbXaBehaviourTest {
    private static final String URL = "jdbc:mysql://127.0.0.1:3306/test";
    private static final String TABLE = "integrations_xa_behaviour";

    private record TestXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier) implements Xid {
        static TestXid next(String what) {
            return new TestXid(4711, (what + "-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8), new byte[] {1});
        }
    }

    private static Connection root() {
        try {
            return DriverManager.getConnection(URL, "root", "");
        } catch (SQLException e) {
            throw new IllegalStateException("this test needs MariaDB on 127.0.0.1:3306 (root, no password): " + e.getMessage(), e);
        }
    }

    private static MysqlXADataSource dataSource(String parameters) {
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl(URL + parameters);
        ds.setUser("root");
        ds.setPassword("");
        return ds;
    }

    /** Starts, runs {@code sql} in, ends and prepares a branch on a new connection of {@code ds}, then closes that connection. */
    private static void prepareAndDisconnect(MysqlXADataSource ds, Xid xid, String sql) throws Exception {
        XAConnection xac = ds.getXAConnection();
        try (Connection c = xac.getConnection(); Statement s = c.createStatement()) {
            xac.getXAResource().start(xid, XAResource.TMNOFLAGS);
            s.execute(sql);
            xac.getXAResource().end(xid, XAResource.TMSUCCESS);
            xac.getXAResource().prepare(xid);
        } finally {
            xac.close();
        }
    }

    @Test
    void aBranchPreparedOnOneConnectionCommitsFromAnotherWithOrWithoutPinGlobalTxToPhysicalConnection() throws Exception {
        try (Connection root = root(); Statement s = root.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id BIGINT PRIMARY KEY)");
        }
        long id = System.nanoTime();
        for (String pin : new String[] {"false", "true"}) {
            MysqlXADataSource ds = dataSource("?pinGlobalTxToPhysicalConnection=" + pin);
            Xid xid = TestXid.next("pin-" + pin);
            prepareAndDisconnect(ds, xid, "INSERT INTO " + TABLE + " VALUES (" + (++id) + ")");
            XAConnection other = ds.getXAConnection();
            try {
                other.getXAResource().commit(xid, false);
            } finally {
                other.close();
            }
            try (Connection root = root(); Statement s = root.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE + " WHERE id = " + id)) {
                rs.next();
                assertEquals(1, rs.getInt(1), "committed from another connection with pinGlobalTxToPhysicalConnection=" + pin);
            }
        }
    }

    @Test
    void aPreparedBranchThatWroteNothingIsGoneOnceItsConnectionClosesAndCommitAnswersRollback() throws Exception {
        MysqlXADataSource ds = dataSource("");
        Xid xid = TestXid.next("read-only");
        prepareAndDisconnect(ds, xid, "SELECT 1");
        XAConnection other = ds.getXAConnection();
        try {
            XAException e = assertThrows(XAException.class, () -> other.getXAResource().commit(xid, false));
            assertEquals(XAException.XA_RBROLLBACK, e.errorCode, e.toString());
        } finally {
            other.close();
        }
    }
}
