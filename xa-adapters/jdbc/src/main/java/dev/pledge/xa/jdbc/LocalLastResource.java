package dev.pledge.xa.jdbc;

import dev.pledge.tm.LastResource;
import dev.pledge.tm.PledgeXAResource;
import io.agroal.api.transaction.TransactionAware;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A plain JDBC connection's local transaction, adapted to {@link XAResource} as the transaction's
 * single {@link LastResource}: start switches auto-commit off, Pledge commits it in one phase after
 * every XA branch prepared, rollback rolls it back. It cannot prepare and recovery never sees it.
 */
final class LocalLastResource implements LastResource, PledgeXAResource {
    private final String name;
    private final TransactionAware connection;
    private Xid current;

    LocalLastResource(String name, TransactionAware connection) {
        this.name = name;
        this.connection = connection;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return false;
    }

    @Override
    public synchronized void start(Xid xid, int flags) throws XAException {
        if (current == null) {
            if (flags != TMNOFLAGS) {
                throw new XAException(XAException.XAER_INVAL);
            }
            try {
                connection.transactionStart();
            } catch (Exception e) {
                throw EnlistedXAResource.xa(XAException.XAER_RMERR, "could not start a local transaction on '" + name + "'", e);
            }
            current = xid;
        } else if (flags != TMJOIN && flags != TMRESUME) {
            throw new XAException(XAException.XAER_DUPID);
        }
    }

    @Override
    public synchronized void end(Xid xid, int flags) throws XAException {
        if (current == null || !current.equals(xid)) {
            throw new XAException(XAException.XAER_NOTA);
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        throw EnlistedXAResource.xa(XAException.XAER_PROTO, "'" + name + "' is a last resource: it commits in one phase",
                new UnsupportedOperationException("prepare"));
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        check(xid);
        try {
            connection.transactionBeforeCompletion(true);
            connection.transactionCommit();
        } catch (Exception e) {
            connection.setFlushOnly();
            if (lostConnection(e)) {
                // The commit may or may not have reached the database: Pledge reports the outcome as unknown.
                throw EnlistedXAResource.xa(XAException.XAER_RMFAIL, "local commit on '" + name + "' lost its connection;"
                        + " whether it committed is unknown", e);
            }
            throw EnlistedXAResource.xa(XAException.XA_RBROLLBACK, "local commit on '" + name + "' failed", e);
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        check(xid);
        try {
            connection.transactionBeforeCompletion(false);
            connection.transactionRollback();
        } catch (Exception e) {
            connection.setFlushOnly();
            throw EnlistedXAResource.xa(XAException.XAER_RMERR, "local rollback on '" + name + "' failed", e);
        }
    }

    /** A broken connection (SQLState class 08) during commit leaves the outcome unknown; other failures roll back. */
    static boolean lostConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLRecoverableException || t instanceof SQLNonTransientConnectionException
                    || (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    private synchronized void check(Xid xid) throws XAException {
        if (current == null || !current.equals(xid)) {
            throw new XAException(XAException.XAER_NOTA);
        }
        current = null;
    }

    @Override
    public void forget(Xid xid) throws XAException {
        throw new XAException(XAException.XAER_NOTA);
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

    @Override
    public String toString() {
        return name + "(local transaction, last resource)";
    }
}
