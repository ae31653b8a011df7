package dev.pledge.bench;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/** One unit of money from an account on MariaDB to the same account on PostgreSQL: one row update on each side. */
final class Transfer {
    static final String DEBIT = "UPDATE bench_account SET balance = balance - 1 WHERE id = ?";
    static final String CREDIT = "UPDATE bench_account SET balance = balance + 1 WHERE id = ?";

    private Transfer() {
    }

    /** A random account of those {@code thread} owns. */
    static int account(int thread) {
        return thread * DbServers.ROWS_PER_THREAD + ThreadLocalRandom.current().nextInt(DbServers.ROWS_PER_THREAD);
    }

    /** Runs {@code sql} for {@code account} and checks it hit exactly one row. */
    static void update(Connection c, String sql, int account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, account);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("account " + account + " missing: " + sql);
            }
        }
    }

    /** The transfer under a transaction manager, with connections from its enlisting data sources. */
    static void managed(TransactionManager tm, DataSource from, DataSource to, int thread) throws Exception {
        int account = account(thread);
        tm.begin();
        try {
            try (Connection c = from.getConnection()) {
                update(c, DEBIT, account);
            }
            try (Connection c = to.getConnection()) {
                update(c, CREDIT, account);
            }
        } catch (Exception e) {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
            throw e;
        }
        tm.commit();
    }
}
