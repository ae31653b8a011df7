package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The database checks of build time, against fake JDBC answers (a real server cannot be toggled in a unit test). */
class DatabaseProbeTest {

    /** A connection whose only query answers {@code setting} for {@code SHOW max_prepared_transactions}. */
    private static Connection answering(String setting) {
        ResultSet rs = proxy(ResultSet.class, (m, args) -> switch (m) {
            case "next" -> true;
            case "getString" -> setting;
            default -> null;
        });
        Statement st = proxy(Statement.class, (m, args) -> switch (m) {
            case "executeQuery" -> {
                assertEquals("SHOW max_prepared_transactions", args[0]);
                yield rs;
            }
            default -> null;
        });
        return proxy(Connection.class, (m, args) -> m.equals("createStatement") ? st : null);
    }

    interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> method.getName().equals("close") ? null : answer.answer(method.getName(), args)));
    }

    @Test
    void postgresWithoutPreparedTransactionsFailsWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DatabaseProbe.requirePreparedTransactions(answering("0"), "jdbc:postgresql://db.example:5432/shop"));
        assertEquals("PostgreSQL at jdbc:postgresql://db.example:5432/shop has max_prepared_transactions = 0; set it > 0"
                + " (e.g. in conf.d) and restart the server: XA needs PREPARE TRANSACTION", e.getMessage());
    }

    @Test
    void postgresWithPreparedTransactionsPasses() {
        assertDoesNotThrow(() -> DatabaseProbe.requirePreparedTransactions(answering("200"), "jdbc:postgresql://db:5432/x"));
    }

    @Test
    void mariaDbMySqlAndPostgresBranchesAreNeverJoinedOthersAre() {
        assertFalse(new DatabaseProbe.Facts("MariaDB", "u").joinable());
        assertFalse(new DatabaseProbe.Facts("MySQL", "u").joinable());
        assertFalse(new DatabaseProbe.Facts("PostgreSQL", "u").joinable());
        assertTrue(new DatabaseProbe.Facts("H2", "u").joinable());
        assertTrue(new DatabaseProbe.Facts("PostgreSQL", "u").isPostgres());
    }

    @Test
    void reportedUrlKeepsHostAndDatabaseButNotTheDriversPropertyList() {
        assertEquals("jdbc:postgresql://127.0.0.1:5432/shop",
                DatabaseProbe.withoutParameters("jdbc:postgresql://127.0.0.1:5432/shop?adaptiveFetch=false&ApplicationName=x&password=y"));
        assertEquals("jdbc:h2:file:/tmp/db;LOCK_TIMEOUT=10000", DatabaseProbe.withoutParameters("jdbc:h2:file:/tmp/db;LOCK_TIMEOUT=10000"));
        assertEquals("(no URL)", DatabaseProbe.withoutParameters(null));
    }
}
