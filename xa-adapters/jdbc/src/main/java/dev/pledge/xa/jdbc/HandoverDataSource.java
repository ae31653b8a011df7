package dev.pledge.xa.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Internal: the non-XA {@link DataSource} class Agroal instantiates; it forwards to the instance
 * given to {@link TransactionalDataSource.Builder#nonXaDataSource(DataSource)}. Public only because
 * Agroal creates it by reflection; not for application use.
 */
public final class HandoverDataSource implements DataSource {
    private final DataSource delegate;

    /** Takes the delegate handed over by the builder on this thread. */
    public HandoverDataSource() {
        this.delegate = Handover.take(DataSource.class);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return delegate.getConnection(user, password);
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

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
