package dev.pledge.cli;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Child JVM of the recover test: leaves real in-doubt branches in two H2 file databases, then halts.
 * <ul>
 * <li>{@code tx-undecided} moves 100 on account 1: prepared in both banks, no commit decision
 * (a third resource never returns from prepare); recovery must roll both back.</li>
 * <li>{@code tx-decided} moves 50 on account 2: decision forced, committed in bank-a, and the JVM
 * halts in bank-b's commit, leaving it prepared; recovery must commit it.</li>
 * </ul>
 * Args: LOG BANK_DIR, where LOG is a directory or the JDBC URL of a database log. Exits with {@link CrashPoint#HALT_STATUS}.
 */
final class H2InDoubtChild {
    static final String NODE = "cli-recover-test";

    private H2InDoubtChild() {
    }

    public static void main(String[] args) throws Exception {
        Bank a = new Bank("bank-a", Path.of(args[1]));
        Bank b = new Bank("bank-b", Path.of(args[1]));
        TransactionService.Builder builder = TransactionService.builder().nodeName(NODE).recoveryInterval(Duration.ZERO)
                .defaultTimeout(Duration.ofMinutes(5));
        if (args[0].startsWith("jdbc:")) {
            builder.databaseLog(dev.pledge.tm.log.db.UrlDataSources.of(args[0], "sa", ""));
        } else {
            builder.logDirectory(Path.of(args[0]));
        }
        TransactionService svc = builder.build();
        TransactionManager tm = svc.transactionManager();
        CountDownLatch preparing = new CountDownLatch(1);
        Thread undecided = new Thread(() -> {
            try {
                transfer(tm, a, b, "tx-undecided", 1, 100, new BlockInPrepare(preparing), false);
            } catch (Exception e) {
                e.printStackTrace();
                Runtime.getRuntime().halt(3);
            }
        });
        undecided.setDaemon(true);
        undecided.start();
        preparing.await();
        transfer(tm, a, b, "tx-decided", 2, 50, null, true);
        System.out.println("bank-b's commit did not halt");
        System.exit(1);
    }

    private static void transfer(TransactionManager tm, Bank a, Bank b, String id, int account, long amount, XAResource extra,
                                 boolean haltInCreditCommit) throws Exception {
        XAConnection xa = a.dataSource.getXAConnection();
        XAConnection xb = b.dataSource.getXAConnection();
        tm.begin();
        tm.getTransaction().enlistResource(PledgeXAResource.named(a.name, false, xa.getXAResource()));
        XAResource credit = xb.getXAResource();
        tm.getTransaction().enlistResource(PledgeXAResource.named(b.name, false, haltInCreditCommit ? new HaltInCommit(credit) : credit));
        if (extra != null) {
            tm.getTransaction().enlistResource(extra);
        }
        Bank.apply(xa.getConnection(), id, account, -amount);
        Bank.apply(xb.getConnection(), id, account, amount);
        tm.commit();
    }

    /** A resource with no data whose prepare never returns: its transaction stays before the decision. */
    private static final class BlockInPrepare extends NoData {
        private final CountDownLatch preparing;

        BlockInPrepare(CountDownLatch preparing) {
            this.preparing = preparing;
        }

        @Override
        public int prepare(Xid xid) {
            preparing.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return XA_OK;
        }
    }

    /** Delegates to H2's resource, but halts the JVM instead of committing. */
    private static final class HaltInCommit extends NoData {
        private final XAResource h2;

        HaltInCommit(XAResource h2) {
            this.h2 = h2;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
            System.out.flush();
            Runtime.getRuntime().halt(CrashPoint.HALT_STATUS);
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            h2.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            h2.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            return h2.prepare(xid);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            h2.rollback(xid);
        }
    }

    /** Every XA call succeeds and does nothing. */
    private abstract static class NoData implements XAResource {
        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            return XA_OK;
        }

        @Override
        public void rollback(Xid xid) throws XAException {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }
}
