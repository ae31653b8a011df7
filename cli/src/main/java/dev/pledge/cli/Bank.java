package dev.pledge.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XAConnection;
import org.h2.jdbcx.JdbcDataSource;

/** One embedded H2 bank database: accounts with balances, reached through H2's XADataSource. */
final class Bank {
    final String name;
    private final JdbcDataSource dataSource;

    Bank(String name, Path directory) {
        this.name = name;
        this.dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + directory.resolve(name).toAbsolutePath() + ";LOCK_TIMEOUT=10000");
        dataSource.setUser("sa");
        dataSource.setPassword("");
    }

    XAConnection openXa() throws SQLException {
        return dataSource.getXAConnection();
    }

    void create(int accounts, long balance) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS account");
            s.execute("CREATE TABLE account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO account VALUES (?, ?)")) {
                for (int i = 0; i < accounts; i++) {
                    p.setInt(1, i);
                    p.setLong(2, balance);
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
    }

    /** Adds {@code delta} to the account; returns false (changing nothing) if it would go negative. */
    static boolean apply(Connection c, int account, long delta) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ? AND balance + ? >= 0")) {
            p.setLong(1, delta);
            p.setInt(2, account);
            p.setLong(3, delta);
            return p.executeUpdate() == 1;
        }
    }

    long total() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM account")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Transactions prepared but never finished: must be zero once recovery is done. */
    int inDoubt() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.IN_DOUBT")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
