package dev.pledge.xa.jdbc;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.XAConnection;
import javax.sql.XADataSource;

/**
 * Internal: the {@link XADataSource} class Agroal instantiates; it forwards to the instance given to
 * {@link TransactionalDataSource.Builder#xaDataSource(XADataSource)}. Public only because Agroal
 * creates it by reflection; not for application use.
 */
public final class HandoverXADataSource implements XADataSource {
    private final XADataSource delegate;

    /** Takes the delegate handed over by the builder on this thread. */
    public HandoverXADataSource() {
        this.delegate = Handover.take(XADataSource.class);
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        return delegate.getXAConnection();
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return delegate.getXAConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    /** Ignored: the login timeout stays whatever the application configured on its own data source. */
    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }
}
