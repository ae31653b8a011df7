package dev.pledge.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL database that holds the database logs of {@code pledge-db} and {@code narayana-jdbc}
 * and the INSERT + COMMIT ceiling: {@code pledge_dblog_bench} on {@code PLEDGE_BENCH_LOG_DB}
 * (host:port, default 127.0.0.1:5432), user {@code postgres}, no password. Create the database once
 * ({@code createdb -h 127.0.0.1 -U postgres pledge_dblog_bench}); the tables are the contenders' own.
 */
final class LogDatabase {
    static final String HOST_PORT = System.getenv().getOrDefault("PLEDGE_BENCH_LOG_DB", "127.0.0.1:5432");
    static final String NAME = "pledge_dblog_bench";
    /** No parameters: Narayana's accessor string splits on ';' and '='. */
    static final String URL = "jdbc:postgresql://" + HOST_PORT + "/" + NAME;
    static final String USER = "postgres";

    private LogDatabase() {
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, "");
    }

    /** Drops {@code tables} so that every run starts from empty ones. */
    static void drop(String... tables) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String t : tables) {
                s.execute("DROP TABLE IF EXISTS " + t);
            }
        }
    }
}
