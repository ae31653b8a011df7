package dev.pledge.itests;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.tm.log.JournalException;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.XADataSource;

/**
 * A Pledge node in a JVM of its own whose log is in a database ({@link LogDatabase}): {@code work}
 * moves money from MariaDB ({@code M}) to PostgreSQL ({@code P}) on several threads until it is
 * killed or halts ({@code Runtime.halt}) at a chosen point of 2PC; {@code recover} takes the node
 * name back once the dead one's lease has run out, runs one recovery pass and exits 0 when nothing
 * is left in doubt (2 otherwise).
 * <pre>
 * work    NODE LOG_URL PREFIX LEASE_MS TABLES THREADS TARGET(M|P|none) POINT NTH
 * recover NODE LOG_URL PREFIX LEASE_MS TABLES
 * </pre>
 * {@code TABLES} names the account tables: {@code pledge_TABLES_m} on MariaDB, {@code pledge_TABLES_p} on PostgreSQL.
 */
public final class TransferNode {
    static final int HALT_STATUS = 99;
    static final int ACCOUNTS = 8;
    static final String READY = "ready";

    private TransferNode() {
    }

    static Accounts mariaDbAccounts(String tables) {
        return new Accounts("pledge_" + tables + "_m", Servers::mariaDbConnection);
    }

    static Accounts postgresAccounts(String tables) {
        return new Accounts("pledge_" + tables + "_p", Servers::postgresConnection);
    }

    public static void main(String[] args) throws Exception {
        String node = args[1];
        LogDatabase log = new LogDatabase(args[2], args[3]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
        String tables = args[5];
        switch (args[0]) {
            case "work" -> work(node, log, lease, tables, Integer.parseInt(args[6]), args[7], FaultyXADataSource.Point.valueOf(args[8]),
                    Integer.parseInt(args[9]));
            case "recover" -> System.exit(recover(node, log, lease).isClean() ? 0 : 2);
            default -> throw new IllegalArgumentException("mode must be work or recover, not " + args[0]);
        }
    }

    static TransactionService.Builder service(String node, LogDatabase log, Duration lease) {
        return TransactionService.builder().nodeName(node).databaseLog(log.dataSource()).databaseLogTablePrefix(log.prefix())
                .leaseDuration(lease).recoveryInterval(Duration.ZERO);
    }

    /**
     * Takes node name {@code node} once its lease has run out (waiting up to three leases and 10 s),
     * runs one recovery pass with resources {@code M} and {@code P}, and closes: the pass's report.
     */
    static RecoveryReport recover(String node, LogDatabase log, Duration lease) throws InterruptedException {
        long deadline = System.nanoTime() + 3 * lease.toNanos() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (TransactionService svc = service(node, log, lease)
                    .recoveryResource("M", TransactionalDataSource.recoveryResource("M", Servers.mariaDb()))
                    .recoveryResource("P", TransactionalDataSource.recoveryResource("P", Servers.postgres()))
                    .build()) {
                RecoveryReport report = svc.recovery().runPass();
                System.out.println("recovery pass after start-up: " + report);
                return report;
            } catch (JournalException e) {
                if (!e.getMessage().contains("held by a live Pledge service") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // the dead node's lease has not run out yet by the database's clock
            }
        }
    }

    private static void work(String node, LogDatabase log, Duration lease, String tables, int threads, String target,
                             FaultyXADataSource.Point point, int nth) throws Exception {
        Runnable halt = () -> Runtime.getRuntime().halt(HALT_STATUS);
        XADataSource m = FaultyXADataSource.onTarget("M", target, Servers.mariaDb(), point, nth, halt);
        XADataSource p = FaultyXADataSource.onTarget("P", target, Servers.postgres(), point, nth, halt);
        Accounts mariaDb = mariaDbAccounts(tables);
        Accounts postgres = postgresAccounts(tables);
        TransactionService svc = service(node, log, lease).build();
        TransactionalDataSource mds = TransactionalDataSource.builder(svc).name("M").xaDataSource(m).maxPoolSize(threads).build();
        TransactionalDataSource pds = TransactionalDataSource.builder(svc).name("P").xaDataSource(p).maxPoolSize(threads).build();
        TransactionManager tm = svc.transactionManager();
        AtomicBoolean ready = new AtomicBoolean();
        new Transfers(tm, mds, mariaDb, pds, postgres, ACCOUNTS).start(threads, () -> {
            if (ready.compareAndSet(false, true)) {
                System.out.println(READY);
                System.out.flush();
            }
        });
        Thread.sleep(60_000);
        System.out.println("neither killed nor halted within 60 s");
        System.exit(3);
    }
}
