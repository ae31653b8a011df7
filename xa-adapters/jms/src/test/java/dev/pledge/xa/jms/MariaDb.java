package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.fail;

import com.mysql.cj.jdbc.MysqlXADataSource;
import dev.pledge.tm.PledgeXAResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;

/** The MariaDB on 127.0.0.1:3306 (root, no password, database test) that the atomicity tests write to. */
final class MariaDb {
    static final String URL = "jdbc:mysql://127.0.0.1:3306/test";
    static final String TABLE = "pledge_jms_orders";
    static final String NAME = "mariadb";

    private MariaDb() {
    }

    /** Fails the test (never skips it) when the server is not there, and empties the table. */
    static void requireRunningAndReset() {
        try (Connection c = DriverManager.getConnection(URL, "root", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, note VARCHAR(100)) ENGINE=InnoDB");
            s.execute("DELETE FROM " + TABLE);
        } catch (SQLException e) {
            fail("These tests need MariaDB on 127.0.0.1:3306 (user root, empty password, database 'test'); it is not reachable: "
                    + e.getMessage(), e);
        }
    }

    static MysqlXADataSource dataSource() {
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl(URL);
        ds.setUser("root");
        ds.setPassword("");
        return ds;
    }

    /** Recovery supplier: a fresh XA connection's resource, closed after the pass. */
    static Supplier<XAResource> recovery() {
        return () -> {
            try {
                XAConnection xc = dataSource().getXAConnection();
                return PledgeXAResource.named(NAME, false, xc.getXAResource(), xc::close);
            } catch (SQLException e) {
                throw new IllegalStateException("MariaDB unreachable: " + e.getMessage(), e);
            }
        };
    }

    static int count(String where) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, "root", ""); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE + " WHERE " + where)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
