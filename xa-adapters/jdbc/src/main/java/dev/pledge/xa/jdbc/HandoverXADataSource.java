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
    private final boolean elideAutoCommit;

    /** What the builder hands over: the driver's data source, and whether its connections need {@link XaSessionAutoCommit}. */
    record Source(XADataSource dataSource, boolean elideAutoCommit) {
    }

    /** Takes the delegate handed over by the builder on this thread. */
    public HandoverXADataSource() {
        Source source = Handover.take(Source.class);
        this.delegate = source.dataSource();
        this.elideAutoCommit = source.elideAutoCommit();
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        return wrap(delegate.getXAConnection());
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return wrap(delegate.getXAConnection(user, password));
    }

    private XAConnection wrap(XAConnection c) throws SQLException {
        return elideAutoCommit ? new XaSessionAutoCommit(c) : c;
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
