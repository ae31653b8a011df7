package dev.pledge.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Before the database workload: creates database {@value DbServers#DATABASE} and table
 * {@code bench_account} on both servers if missing, resets the balances, and rolls back any
 * prepared branch a killed earlier bench run left behind (only Xids whose global id contains
 * {@code bench-}: other processes' branches on the shared servers are never touched).
 */
final class DbSetup {
    private DbSetup() {
    }

    static void prepare(DbServers servers, int threads) {
        int rows = threads * DbServers.ROWS_PER_THREAD;
        try (Connection c = connect("MariaDB", servers.mariadb(), "jdbc:mysql://" + servers.mariadb() + "/?user=root")) {
            c.createStatement().execute("CREATE DATABASE IF NOT EXISTS " + DbServers.DATABASE);
        } catch (SQLException e) {
            throw failed("MariaDB", e);
        }
        try (Connection c = connect("PostgreSQL", servers.postgres(), "jdbc:postgresql://" + servers.postgres() + "/postgres?user=postgres")) {
            ResultSet r = c.createStatement().executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DbServers.DATABASE + "'");
            if (!r.next()) {
                c.createStatement().execute("CREATE DATABASE " + DbServers.DATABASE);
            }
            ResultSet mpt = c.createStatement().executeQuery("SHOW max_prepared_transactions");
            mpt.next();
            if (mpt.getInt(1) < 2 * threads) {
                throw new IllegalStateException("PostgreSQL at " + servers.postgres() + " has max_prepared_transactions = " + mpt.getInt(1)
                        + "; the database workload needs at least " + 2 * threads + ": set it in postgresql.conf and restart PostgreSQL");
            }
        } catch (SQLException e) {
            throw failed("PostgreSQL", e);
        }
        // first: a branch a killed run left prepared still holds its row locks, and would block the reset
        rollBackLeftovers("MariaDB", servers.mariadbXa());
        rollBackLeftovers("PostgreSQL", servers.postgresXa());
        try (Connection m = connect("MariaDB", servers.mariadb(), servers.mariadbUrl());
                Connection p = connect("PostgreSQL", servers.postgres(), servers.postgresUrl())) {
            m.createStatement().execute("CREATE TABLE IF NOT EXISTS bench_account (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB");
            p.createStatement().execute("CREATE TABLE IF NOT EXISTS bench_account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            for (Connection c : new Connection[] {m, p}) {
                reset(c, rows);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Setting up table bench_account failed: " + e.getMessage(), e);
        }
    }

    private static void reset(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM bench_account");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench_account (id, balance) VALUES (?, 1000000)")) {
            for (int i = 0; i < rows; i++) {
                ps.setInt(1, i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Sum of the balances on one side: the transfers move money from MariaDB to PostgreSQL, one unit each. */
    static long total(Connection c) throws SQLException {
        ResultSet r = c.createStatement().executeQuery("SELECT COALESCE(SUM(balance), 0) FROM bench_account");
        r.next();
        return r.getLong(1);
    }

    private static void rollBackLeftovers(String server, XADataSource ds) {
        try {
            XAConnection xac = ds.getXAConnection();
            try {
                XAResource xa = xac.getXAResource();
                for (Xid xid : xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)) {
                    if (new String(xid.getGlobalTransactionId(), StandardCharsets.ISO_8859_1).contains("bench-")) {
                        xa.rollback(xid);
                    }
                }
            } finally {
                xac.close();
            }
        } catch (SQLException | XAException e) {
            throw new IllegalStateException("Could not clear in-doubt bench branches on " + server + ": " + e, e);
        }
    }

    private static Connection connect(String server, String hostPort, String url) throws SQLException {
        try {
            return DriverManager.getConnection(url);
        } catch (SQLException e) {
            throw failed(server + " at " + hostPort, e);
        }
    }

    private static IllegalStateException failed(String server, SQLException e) {
        return new IllegalStateException(server + " is not usable for the database workload: " + e.getMessage() + " (SQLState " + e.getSQLState()
                + "). Start the server (MariaDB as root without password, PostgreSQL as postgres with trust auth), point the bench at it with"
                + " --mariadb HOST:PORT / --postgres HOST:PORT, or leave the database workload out with --skip-db", e);
    }
}
