package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB and PostgreSQL are shared servers: several data sources of one application point at
 * the same database, and other clients (other Pledge nodes, other transaction managers) leave
 * their own prepared branches there. Pledge must give every MariaDB connection a branch of its
 * own (the server rejects {@code XA START ... JOIN}), and its recovery must touch only the Xids of
 * its own node, whatever {@code XA RECOVER} and {@code pg_prepared_xacts} list.
 */
class BranchesOnSharedServersTest {
    static final String NODE = "adp-shared";
    static final Accounts MARIA = new Accounts("adp_shared_m", Servers::mariaDbConnection);
    static final Accounts PG = new Accounts("adp_shared_p", Servers::postgresConnection);

    @TempDir
    Path dir;

    @Test
    void twoDataSourcesOnOneMariaDbDatabaseGetABranchEachAndNeverAJoin() throws Exception {
        MARIA.create(4, 100);
        XaCallRecorder calls = new XaCallRecorder();
        try (TransactionService svc = service();
                TransactionalDataSource a = TransactionalDataSource.builder(svc).name("adp-a").xaDataSource(calls.wrap(Servers.mariaDb()))
                        .build();
                TransactionalDataSource b = TransactionalDataSource.builder(svc).name("adp-b").xaDataSource(calls.wrap(Servers.mariaDb()))
                        .build()) {
            assertFalse(a.joinable() || b.joinable(), "MariaDB branches are never joinable");
            TransactionManager tm = svc.transactionManager();
            for (int round = 0; round < 3; round++) {
                tm.begin();
                try (Connection ca = a.getConnection(); Connection cb = b.getConnection(); Connection ca2 = a.getConnection()) {
                    MARIA.add(ca, 0, -10);
                    MARIA.add(cb, 1, 10);
                    MARIA.add(ca2, 2, -1); // the same data source again: its one enlisted connection
                }
                tm.commit();
            }
        } finally {
            MARIA.drop();
        }
        assertEquals(List.of(XAResource.TMNOFLAGS), calls.startFlags.stream().distinct().toList(),
                "every start must begin a branch of its own (TMNOFLAGS); seen " + calls.startFlags);
        assertEquals(6, calls.startFlags.size(), "one branch per data source per transaction: " + calls.startFlags);
    }

    @Test
    void recoveryLeavesOtherNodesAndOtherFormatsAloneAndRollsBackItsOwn() throws Exception {
        recoveryPass(); // leftovers of an interrupted earlier run of this test (they would lock the tables)
        MARIA.create(6, 100);
        PG.create(6, 100);
        List<Xid> foreign = List.of(xid(4711, "adp-not-pledge".getBytes(StandardCharsets.UTF_8)), pledgeXid("adp-other-node"));
        Xid own = pledgeXid(NODE);
        List<Prepared> prepared = new ArrayList<>();
        try {
            int row = 0;
            for (Xid x : foreign) {
                prepared.add(Prepared.on(Servers.mariaDb(), x, MARIA, row));
                prepared.add(Prepared.on(Servers.postgres(), x, PG, row));
                row++;
            }
            Prepared ownM = Prepared.on(Servers.mariaDb(), own, MARIA, row);
            Prepared ownP = Prepared.on(Servers.postgres(), own, PG, row);
            prepared.add(ownM);
            prepared.add(ownP);

            RecoveryReport report = recoveryPass();
            assertEquals(2, report.rolledBack(), "only this node's branches (one per server) are presumed aborted: " + report);
            assertEquals(0, report.committed(), report.toString());
            assertTrue(report.isClean(), report.toString());
            assertEquals(List.of(), Servers.mariaDbXidsOf(NODE));
            assertEquals(List.of(), Servers.postgresXidsOf(NODE));
            assertFalse(ownM.stillPrepared() || ownP.stillPrepared(), "this node's own branches are rolled back");
            for (Prepared f : prepared.subList(0, 4)) {
                assertTrue(f.stillPrepared(), "recovery of " + NODE + " touched a foreign branch: " + f);
            }
            assertEquals(6 * 100, MARIA.total(), "nothing of the foreign branches committed");
            assertEquals(6 * 100, PG.total());
        } finally {
            for (Prepared p : prepared) {
                p.rollbackIfPrepared();
            }
            MARIA.drop();
            PG.drop();
        }
    }

    /** A service of this node with both servers registered (by building their data sources), one recovery pass. */
    private RecoveryReport recoveryPass() {
        try (TransactionService svc = service();
                TransactionalDataSource m = TransactionalDataSource.builder(svc).name("M").xaDataSource(Servers.mariaDb()).build();
                TransactionalDataSource p = TransactionalDataSource.builder(svc).name("P").xaDataSource(Servers.postgres()).build()) {
            return svc.recovery().runPass();
        }
    }

    private TransactionService service() {
        return TransactionService.builder().nodeName(NODE).logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO).build();
    }

    /** An Xid of Pledge's format from node {@code node}, the way Pledge builds its gtrids ({@code node:} + 16 bytes). */
    static Xid pledgeXid(String node) {
        byte[] prefix = (node + ":").getBytes(StandardCharsets.UTF_8);
        byte[] gtrid = Arrays.copyOf(prefix, prefix.length + 16);
        gtrid[gtrid.length - 1] = (byte) System.nanoTime();
        return xid(Servers.PLEDGE_FORMAT_ID, gtrid);
    }

    static Xid xid(int format, byte[] gtrid) {
        return new SimpleXid(format, gtrid, new byte[] {1});
    }

    record SimpleXid(int format, byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return format;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public String toString() {
            return Integer.toHexString(format) + ":" + new String(gtrid, StandardCharsets.ISO_8859_1);
        }
    }

    /** A branch prepared on a server by a plain XA connection, as another client would leave it. */
    record Prepared(XADataSource source, Xid xid) {
        static Prepared on(XADataSource source, Xid xid, Accounts table, int row) throws Exception {
            XAConnection xc = source.getXAConnection();
            try {
                XAResource r = xc.getXAResource();
                r.start(xid, XAResource.TMNOFLAGS);
                try (Statement s = xc.getConnection().createStatement()) {
                    s.executeUpdate("UPDATE " + table.table() + " SET balance = balance + 1 WHERE id = " + row);
                }
                r.end(xid, XAResource.TMSUCCESS);
                assertEquals(XAResource.XA_OK, r.prepare(xid));
            } finally {
                xc.close(); // a prepared branch outlives its connection on both servers
            }
            return new Prepared(source, xid);
        }

        boolean stillPrepared() throws Exception {
            XAConnection xc = source.getXAConnection();
            try {
                return Arrays.stream(xc.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                        .anyMatch(x -> x.getFormatId() == xid.getFormatId()
                                && Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())
                                && Arrays.equals(x.getBranchQualifier(), xid.getBranchQualifier()));
            } finally {
                xc.close();
            }
        }

        void rollbackIfPrepared() throws Exception {
            if (!stillPrepared()) {
                return;
            }
            XAConnection xc = source.getXAConnection();
            try {
                xc.getXAResource().rollback(xid);
            } catch (XAException e) {
                throw new AssertionError("could not clean up the test branch " + xid + " (XA code " + e.errorCode + ")", e);
            } finally {
                xc.close();
            }
        }
    }
}
