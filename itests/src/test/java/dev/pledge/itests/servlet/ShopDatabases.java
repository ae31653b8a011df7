package dev.pledge.itests.servlet;

import dev.pledge.itests.Servers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shop's tables in the {@code pledge_shop} databases: stock and reservations on MariaDB,
 * orders on PostgreSQL (as in samples/shop-war's shop-schema.sql), created afresh for each test,
 * and what the tests read back from them.
 */
final class ShopDatabases {
    private ShopDatabases() {
    }

    /** Drops and creates the shop's tables, with {@code stock} as the initial quantity of each SKU. */
    static void reset(Map<String, Integer> stock) throws SQLException {
        Servers.createDatabases(ShopSettings.DATABASE);
        try (Connection c = Servers.mariaDbConnection(ShopSettings.DATABASE); Statement s = c.createStatement()) {
            // a prepared branch left by an earlier run would hold its locks: fail within seconds, not hang
            s.execute("SET SESSION lock_wait_timeout = 10");
            s.execute("DROP TABLE IF EXISTS shop_stock, shop_reservations");
            s.execute("CREATE TABLE shop_stock (sku VARCHAR(64) PRIMARY KEY, quantity INT NOT NULL) ENGINE=InnoDB");
            s.execute("CREATE TABLE shop_reservations (order_id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL,"
                    + " quantity INT NOT NULL) ENGINE=InnoDB");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO shop_stock VALUES (?, ?)")) {
                for (Map.Entry<String, Integer> e : stock.entrySet()) {
                    insert.setString(1, e.getKey());
                    insert.setInt(2, e.getValue());
                    insert.executeUpdate();
                }
            }
        }
        try (Connection c = Servers.postgresConnection(ShopSettings.DATABASE); Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '10s'");
            s.execute("DROP TABLE IF EXISTS shop_orders");
            s.execute("CREATE TABLE shop_orders (id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL, quantity INT NOT NULL)");
        }
    }

    /** Order id → quantity of the orders on PostgreSQL. */
    static Map<String, Integer> orders() throws SQLException {
        try (Connection c = Servers.postgresConnection(ShopSettings.DATABASE)) {
            return idToQuantity(c, "SELECT id, quantity FROM shop_orders");
        }
    }

    /** Order id → quantity of the reservations on MariaDB. */
    static Map<String, Integer> reservations() throws SQLException {
        try (Connection c = Servers.mariaDbConnection(ShopSettings.DATABASE)) {
            return idToQuantity(c, "SELECT order_id, quantity FROM shop_reservations");
        }
    }

    /** Reservations of one SKU. */
    static int reserved(String sku) throws SQLException {
        try (Connection c = Servers.mariaDbConnection(ShopSettings.DATABASE);
                PreparedStatement s = c.prepareStatement("SELECT COALESCE(SUM(quantity), 0) FROM shop_reservations WHERE sku = ?")) {
            s.setString(1, sku);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static int stock(String sku) throws SQLException {
        try (Connection c = Servers.mariaDbConnection(ShopSettings.DATABASE);
                PreparedStatement s = c.prepareStatement("SELECT quantity FROM shop_stock WHERE sku = ?")) {
            s.setString(1, sku);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no SKU " + sku + " in shop_stock");
                }
                return rs.getInt(1);
            }
        }
    }

    /** Prepared branches of Pledge node {@code node} on MariaDB and PostgreSQL. */
    static List<String> preparedOf(String node) throws SQLException {
        List<String> all = new ArrayList<>();
        Servers.mariaDbXidsOf(node).forEach(x -> all.add("MariaDB " + x));
        Servers.postgresXidsOf(node).forEach(x -> all.add("PostgreSQL " + x));
        return all;
    }

    private static Map<String, Integer> idToQuantity(Connection c, String sql) throws SQLException {
        Map<String, Integer> found = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                found.put(rs.getString(1), rs.getInt(2));
            }
        }
        return found;
    }
}
