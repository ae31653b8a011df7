package dev.pledge.xa.jdbc;

import dev.pledge.tm.PledgeXAResource;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource that recovery uses on a fresh XA connection, named, closing the connection after
 * the pass, with the driver workarounds recovery needs.
 * <p>
 * H2 2.x: {@code JdbcXAConnection.rollback} issues {@code ROLLBACK TRANSACTION} only while the
 * connection's own "prepared" flag is set; {@code recover()} sets it and the first rollback clears
 * it, so every further in-doubt branch rolled back on the same recovery connection silently stayed
 * prepared. Before each rollback the wrapper scans again, which sets the flag.
 */
final class RecoveryXAResource {
    private RecoveryXAResource() {
    }

    /** True for H2's data source class, whose resources need {@link RescanBeforeRollback}. */
    static boolean isH2(Object dataSource) {
        return dataSource.getClass().getName().startsWith("org.h2.");
    }

    /** {@code h2}: wrap the resources in {@link RescanBeforeRollback} (pools may wrap H2's resource, so the caller says). */
    static Supplier<PledgeXAResource> supplier(String name, Callable<XAConnection> connections, boolean h2) {
        return () -> {
            XAConnection xac;
            try {
                xac = connections.call();
            } catch (Exception e) {
                throw new IllegalStateException("cannot connect to data source '" + name + "' for recovery: " + e.getMessage(), e);
            }
            try {
                XAResource raw = xac.getXAResource();
                XAResource fixed = h2 ? new RescanBeforeRollback(raw) : raw;
                return PledgeXAResource.named(name, false, fixed, xac::close);
            } catch (SQLException | RuntimeException e) {
                try {
                    xac.close();
                } catch (SQLException x) {
                    e.addSuppressed(x);
                }
                throw new IllegalStateException("cannot open an XA resource on data source '" + name + "' for recovery: " + e.getMessage(), e);
            }
        };
    }

    /** Delegates everything; {@code rollback} runs a recovery scan first (see the class comment). */
    static final class RescanBeforeRollback extends ForwardingXAResource {
        RescanBeforeRollback(XAResource delegate) {
            super(delegate);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            delegate.recover(TMSTARTRSCAN);
            delegate.rollback(xid);
        }
    }
}
