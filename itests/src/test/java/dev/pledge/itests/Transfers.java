package dev.pledge.itests;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * The work of the crash and cluster node JVMs: daemon threads that move a random amount from a
 * random MariaDB account to a random PostgreSQL account, one transaction each, until the JVM dies
 * or the caller stops them.
 */
record Transfers(TransactionManager tm, DataSource mariaDb, Accounts mariaDbAccounts, DataSource postgres, Accounts postgresAccounts,
                 int accounts) {

    /** What the transfer threads report. */
    interface Listener {
        void committed();

        default void failed(Exception e) {
            System.out.println("transfer failed: " + e);
        }
    }

    /** Starts {@code threads} transfer threads that run until the JVM dies; {@code afterCommit} runs after each commit. */
    void start(int threads, Runnable afterCommit) {
        start(threads, (Listener) afterCommit::run, () -> true);
    }

    /** Starts {@code threads} transfer threads that run while {@code running} says so; the caller may join them. */
    List<Thread> start(int threads, Listener listener, BooleanSupplier running) {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                while (running.getAsBoolean()) {
                    transferOnce(listener);
                }
            }, "transfer-" + t);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
        return workers;
    }

    private void transferOnce(Listener listener) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try {
            tm.begin();
            try (Connection a = mariaDb.getConnection(); Connection b = postgres.getConnection()) {
                long amount = rnd.nextLong(1, 100);
                mariaDbAccounts.add(a, rnd.nextInt(accounts), -amount);
                postgresAccounts.add(b, rnd.nextInt(accounts), amount);
            }
            tm.commit();
            listener.committed();
        } catch (Exception e) {
            listener.failed(e);
            try {
                if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    tm.rollback();
                }
            } catch (Exception ignored) {
                // finished meanwhile
            }
            pauseAfterFailure();
        }
    }

    /** A service that refuses every transaction (fenced, draining) would otherwise make the thread spin. */
    private static void pauseAfterFailure() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
