package dev.pledge.itests;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.ConnectionEventListener;
import javax.sql.StatementEventListener;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Test fault injection: a driver's XA data source whose resources run {@code action} once, on the
 * {@code nth} call of {@code prepare} or {@code commit} across all its connections, before or after
 * the real call. The crash test halts the JVM there; the restart test stops the database server.
 */
public final class FaultyXADataSource implements XADataSource {
    public enum Point {
        BEFORE_PREPARE, AFTER_PREPARE, BEFORE_COMMIT, AFTER_COMMIT
    }

    private final XADataSource delegate;
    private final Point point;
    private final int nth;
    private final Runnable action;
    private final AtomicInteger calls = new AtomicInteger();

    public FaultyXADataSource(XADataSource delegate, Point point, int nth, Runnable action) {
        this.delegate = delegate;
        this.point = point;
        this.nth = nth;
        this.action = action;
    }

    /** {@code dataSource} with this fault when {@code target} is its {@code name}, else {@code dataSource} itself. */
    static XADataSource onTarget(String name, String target, XADataSource dataSource, Point point, int nth, Runnable action) {
        return name.equals(target) ? new FaultyXADataSource(dataSource, point, nth, action) : dataSource;
    }

    private void at(Point here) {
        if (here == point && calls.incrementAndGet() == nth) {
            action.run();
        }
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        return new FaultyConnection(delegate.getXAConnection());
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return new FaultyConnection(delegate.getXAConnection(user, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    private final class FaultyConnection implements XAConnection {
        private final XAConnection real;
        private final FaultyResource resource;

        FaultyConnection(XAConnection real) throws SQLException {
            this.real = real;
            this.resource = new FaultyResource(real.getXAResource());
        }

        @Override
        public XAResource getXAResource() {
            return resource;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return real.getConnection();
        }

        @Override
        public void close() throws SQLException {
            real.close();
        }

        @Override
        public void addConnectionEventListener(ConnectionEventListener listener) {
            real.addConnectionEventListener(listener);
        }

        @Override
        public void removeConnectionEventListener(ConnectionEventListener listener) {
            real.removeConnectionEventListener(listener);
        }

        @Override
        public void addStatementEventListener(StatementEventListener listener) {
            real.addStatementEventListener(listener);
        }

        @Override
        public void removeStatementEventListener(StatementEventListener listener) {
            real.removeStatementEventListener(listener);
        }
    }

    private final class FaultyResource implements XAResource {
        private final XAResource real;

        FaultyResource(XAResource real) {
            this.real = real;
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            at(Point.BEFORE_PREPARE);
            int vote = real.prepare(xid);
            at(Point.AFTER_PREPARE);
            return vote;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            at(Point.BEFORE_COMMIT);
            real.commit(xid, onePhase);
            at(Point.AFTER_COMMIT);
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            real.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            real.end(xid, flags);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            real.rollback(xid);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            real.forget(xid);
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            return real.recover(flag);
        }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() throws XAException {
            return real.getTransactionTimeout();
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return real.setTransactionTimeout(seconds);
        }
    }
}
