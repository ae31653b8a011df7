package dev.pledge.itests.jee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** Two banks whose data sources no Java code builds: both come from {@code pledge.datasource.*} settings. */
@ApplicationScoped
public class ConfiguredBank {
    static final String MARIADB = "bank-maria";
    static final String POSTGRES = "bank-pg";

    @Inject
    @Named(MARIADB)
    DataSource maria;
    @Inject
    @Named(POSTGRES)
    DataSource postgres;
    @Inject
    TransactionManager tm;

    /** Moves {@code amount} from account 1 on MariaDB to account 1 on PostgreSQL; with {@code haltAfterPrepares}, the JVM halts once both prepared. */
    @Transactional
    public void transfer(long amount, boolean haltAfterPrepares) throws Exception {
        add(maria, -amount);
        add(postgres, amount);
        if (haltAfterPrepares) {
            tm.getTransaction().enlistResource(new HaltAtPrepare()); // enlisted last: prepared last, after both databases
        }
    }

    private static void add(DataSource ds, long amount) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE conf_account SET balance = balance + ? WHERE id = 1")) {
            s.setLong(1, amount);
            if (s.executeUpdate() != 1) {
                throw new SQLException("no account 1");
            }
        }
    }

    /** A branch that halts the JVM when asked to prepare. */
    static final class HaltAtPrepare implements XAResource {
        @Override
        public int prepare(Xid xid) {
            System.out.println("halting after the prepares");
            System.out.flush();
            Runtime.getRuntime().halt(ConfiguredBankApp.HALT_STATUS);
            return XA_OK;
        }

        @Override
        public void start(Xid xid, int flags) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
        }

        @Override
        public void rollback(Xid xid) {
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
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return false;
        }
    }
}
