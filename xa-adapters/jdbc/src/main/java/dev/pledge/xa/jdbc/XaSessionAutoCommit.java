package dev.pledge.xa.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.ConnectionEventListener;
import javax.sql.StatementEventListener;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * For MariaDB/MySQL: keeps the auto-commit switch that Agroal makes around every enlisted
 * connection off the wire. Agroal turns auto-commit off when a connection joins a transaction and
 * back on when it returns to the pool; with Connector/J each switch is a round trip
 * ({@code SET autocommit=0} after {@code XA START}, {@code SET autocommit=1} after
 * {@code XA COMMIT}), two of seven statements per branch. The server ignores auto-commit inside an
 * XA branch (every statement between {@code XA START} and {@code XA END} belongs to the branch), so
 * while a branch of this connection is active, turning auto-commit off is only recorded and
 * answered by {@code getAutoCommit()}, and turning it back on afterwards is a no-op, the server
 * never having left auto-commit. Outside a branch every call reaches the driver unchanged.
 */
final class XaSessionAutoCommit implements XAConnection {
    private final XAConnection physical;
    private final Branch branch;
    /** Set between a successful {@code start} and the {@code end} of a branch on this connection. */
    private volatile boolean inBranch;
    /** Auto-commit was turned off while in a branch and the server was not told (it stays on). */
    private volatile boolean offUntold;

    XaSessionAutoCommit(XAConnection physical) throws SQLException {
        this.physical = physical;
        this.branch = new Branch(physical.getXAResource());
    }

    @Override
    public XAResource getXAResource() {
        return branch;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = physical.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, new Elide(c));
    }

    @Override
    public void close() throws SQLException {
        physical.close();
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        physical.addConnectionEventListener(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        physical.removeConnectionEventListener(listener);
    }

    @Override
    public void addStatementEventListener(StatementEventListener listener) {
        physical.addStatementEventListener(listener);
    }

    @Override
    public void removeStatementEventListener(StatementEventListener listener) {
        physical.removeStatementEventListener(listener);
    }

    /** setAutoCommit/getAutoCommit as described on {@link XaSessionAutoCommit}; everything else goes to the driver. */
    private final class Elide implements InvocationHandler {
        private final Connection target;

        Elide(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            if (name.equals("setAutoCommit") && args.length == 1) {
                boolean on = (Boolean) args[0];
                if (!on && inBranch && target.getAutoCommit()) {
                    offUntold = true;
                    return null;
                }
                if (on && offUntold) {
                    offUntold = false;
                    return null;
                }
                offUntold = false;
            } else if (name.equals("getAutoCommit") && args == null && offUntold) {
                return false;
            } else if (name.equals("equals") && args != null && args.length == 1) {
                return proxy == args[0];
            } else if (name.equals("hashCode") && args == null) {
                return System.identityHashCode(proxy);
            }
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** The driver's resource, marking the branch active from a successful start to its end. */
    private final class Branch extends ForwardingXAResource {
        Branch(XAResource driver) {
            super(driver);
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            delegate.start(xid, flags);
            inBranch = true;
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            inBranch = false;
            delegate.end(xid, flags);
        }
    }
}
