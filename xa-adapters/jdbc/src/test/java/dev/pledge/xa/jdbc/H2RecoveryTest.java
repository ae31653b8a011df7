package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery of in-doubt branches on a real H2 file database. */
class H2RecoveryTest {
    @TempDir
    Path tmp;

    @Test
    void recoveryRollsBackEveryInDoubtBranchOnOneConnection() throws Exception {
        JdbcDataSource ds = h2("db");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
        }
        List<XAConnection> preparers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            preparers.add(prepare(ds, xid(4711, ByteBuffer.allocate(8).putLong(i).array())));
        }
        assertEquals(3, inDoubt(ds));

        // H2's own resource, for the record: after one scan only the first rollback takes effect
        XAConnection raw = ds.getXAConnection();
        XAResource r = raw.getXAResource();
        Xid[] xids = r.recover(XAResource.TMSTARTRSCAN);
        for (Xid x : xids) {
            r.rollback(x);
        }
        raw.close();
        assertEquals(2, inDoubt(ds), "H2 behaviour the workaround exists for; if this changed, RescanBeforeRollback may go");

        PledgeXAResource fixed = TransactionalDataSource.recoveryResource("db", ds).get();
        for (Xid x : fixed.recover(XAResource.TMSTARTRSCAN)) {
            fixed.rollback(x);
        }
        ((AutoCloseable) fixed).close();
        assertEquals(0, inDoubt(ds));
        assertEquals(0, rows(ds), "the rolled-back inserts are gone");
        for (XAConnection p : preparers) {
            p.close();
        }
    }

    @Test
    void recoveryThroughAPooledDataSourceRollsBackEveryInDoubtBranch() throws Exception {
        JdbcDataSource ds = h2("pooled");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
        }
        List<XAConnection> preparers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            preparers.add(prepare(ds, pledgeXid("xa-h2-test", i)));
        }
        assertEquals(3, inDoubt(ds));
        try (TransactionService svc = TransactionService.builder().nodeName("xa-h2-test").logDirectory(tmp.resolve("log"))
                .recoveryInterval(Duration.ZERO).build();
             TransactionalDataSource pooled = TransactionalDataSource.builder(svc).name("db").xaDataSource(ds).build()) {
            RecoveryReport report = svc.recovery().runPass();
            assertEquals(3, report.rolledBack(), report.toString());
        }
        assertEquals(0, inDoubt(ds), "presumed abort: no decision in the log, so all three roll back");
        for (XAConnection p : preparers) {
            p.close();
        }
    }

    private JdbcDataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.resolve(name).toAbsolutePath());
        ds.setUser("sa");
        return ds;
    }

    /**
     * Inserts a row in branch {@code xid} (keyed by the gtrid's last four bytes) and prepares it, leaving the connection open: H2 lists it in
     * doubt to every other session (closing the connection normally would roll it back).
     */
    private static XAConnection prepare(JdbcDataSource ds, Xid xid) throws Exception {
        XAConnection xac = ds.getXAConnection();
        XAResource r = xac.getXAResource();
        int n = ByteBuffer.wrap(xid.getGlobalTransactionId(), xid.getGlobalTransactionId().length - 4, 4).getInt();
        r.start(xid, XAResource.TMNOFLAGS);
        try (Statement s = xac.getConnection().createStatement()) {
            s.execute("INSERT INTO t VALUES (" + n + ")");
        }
        r.end(xid, XAResource.TMSUCCESS);
        r.prepare(xid);
        return xac;
    }

    private static int inDoubt(JdbcDataSource ds) throws Exception {
        return count(ds, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.IN_DOUBT");
    }

    private static int rows(JdbcDataSource ds) throws Exception {
        return count(ds, "SELECT COUNT(*) FROM t");
    }

    private static int count(JdbcDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A Pledge Xid of {@code node} as its coordinator makes them: format "PLDG", gtrid {@code node:} and 16 bytes. */
    private static Xid pledgeXid(String node, int n) {
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        return xid(0x504C4447, ByteBuffer.allocate(name.length + 17).put(name).put((byte) ':').putLong(42).putLong(n).array());
    }

    private static Xid xid(int format, byte[] gtrid) {
        return new Xid() {
            @Override
            public int getFormatId() {
                return format;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return gtrid;
            }

            @Override
            public byte[] getBranchQualifier() {
                return new byte[] {1};
            }
        };
    }
}
