package dev.pledge.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;

/**
 * One embedded H2 bank database, file-backed: accounts with balances, and a journal of the
 * transfers that touched it (so the demo can check that each transfer reached both banks or neither).
 */
final class Bank {
    final String name;
    /** H2's data source, which is also its XADataSource. */
    final JdbcDataSource dataSource;

    Bank(String name, Path directory) {
        this.name = name;
        this.dataSource = new JdbcDataSource();
        // WRITE_DELAY=0: a commit (and a prepare) reaches the file before it returns, so a halted JVM loses nothing
        dataSource.setURL("jdbc:h2:file:" + directory.resolve(name).toAbsolutePath() + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000");
        dataSource.setUser("sa");
        dataSource.setPassword("");
    }

    void create(int accounts, long balance) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS account");
            s.execute("DROP TABLE IF EXISTS transfer");
            s.execute("CREATE TABLE account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("CREATE TABLE transfer (id VARCHAR(64) PRIMARY KEY, account INT NOT NULL, delta BIGINT NOT NULL)");
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

    /**
     * Adds {@code delta} to the account and records the transfer; returns false (changing nothing)
     * if the balance would go negative.
     */
    static boolean apply(Connection c, String transfer, int account, long delta) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ? AND balance + ? >= 0")) {
            p.setLong(1, delta);
            p.setInt(2, account);
            p.setLong(3, delta);
            if (p.executeUpdate() != 1) {
                return false;
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?)")) {
            p.setString(1, transfer);
            p.setInt(2, account);
            p.setLong(3, delta);
            p.executeUpdate();
        }
        return true;
    }

    long total() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM account")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The ids of the transfers committed in this database. */
    Set<String> transfers() throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM transfer")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
