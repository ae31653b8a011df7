package dev.pledge.itests;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One table of bank accounts ({@code id}, {@code balance}) in one database; the SQL works on MariaDB, PostgreSQL and H2. */
record Accounts(String table, Connector admin) {

    /** Opens a plain connection outside any transaction manager, for setup and checks. */
    @FunctionalInterface
    interface Connector {
        Connection open() throws SQLException;
    }

    /** Drops and recreates the table with {@code count} accounts holding {@code balance} each. */
    Accounts create(int count, long balance) throws SQLException {
        try (Connection c = admin.open(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, balance) VALUES (?, ?)")) {
                for (int i = 0; i < count; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, balance);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return this;
    }

    void drop() throws SQLException {
        try (Connection c = admin.open(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    /** Adds {@code delta} to one account on {@code c} (the caller's transaction, if any). */
    void add(Connection c, int id, long delta) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, delta);
            ps.setInt(2, id);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no account " + id + " in " + table);
            }
        }
    }

    long balance(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM " + table + " WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no account " + id + " in " + table);
                }
                return rs.getLong(1);
            }
        }
    }

    /** The committed balance of one account, read on a fresh admin connection. */
    long balance(int id) throws SQLException {
        try (Connection c = admin.open()) {
            return balance(c, id);
        }
    }

    /** The committed sum of every account. */
    long total() throws SQLException {
        try (Connection c = admin.open(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
