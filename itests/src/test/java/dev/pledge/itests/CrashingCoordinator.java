package dev.pledge.itests;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.XADataSource;

/**
 * The coordinator process of {@link CoordinatorKilledDuringTwoPhaseCommitTest}: transfers money
 * from MariaDB ({@code M}) to PostgreSQL ({@code P}) on several threads, with fsync on, until it
 * halts ({@code Runtime.halt}: no shutdown hook, nothing flushed) at the chosen point of 2PC, or
 * until the parent kills it.
 * <pre>
 * LOG_DIR NODE TARGET(M|P|none) POINT(BEFORE_PREPARE|AFTER_PREPARE|BEFORE_COMMIT|AFTER_COMMIT) NTH THREADS
 * </pre>
 */
public final class CrashingCoordinator {
    static final int HALT_STATUS = 99;
    static final int ACCOUNTS = 8;
    static final Accounts MARIADB = new Accounts("pledge_it_crash_m", Servers::mariaDbConnection);
    static final Accounts POSTGRES = new Accounts("pledge_it_crash_p", Servers::postgresConnection);

    private CrashingCoordinator() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        String node = args[1];
        String target = args[2];
        FaultyXADataSource.Point point = FaultyXADataSource.Point.valueOf(args[3]);
        int nth = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        Runnable halt = () -> Runtime.getRuntime().halt(HALT_STATUS);

        XADataSource m = Servers.mariaDb();
        XADataSource p = Servers.postgres();
        if (target.equals("M")) {
            m = new FaultyXADataSource(m, point, nth, halt);
        } else if (target.equals("P")) {
            p = new FaultyXADataSource(p, point, nth, halt);
        }
        TransactionService svc = TransactionService.builder().nodeName(node).logDirectory(log).recoveryInterval(Duration.ZERO).build();
        TransactionalDataSource mds = TransactionalDataSource.builder(svc).name("M").xaDataSource(m).maxPoolSize(threads).build();
        TransactionalDataSource pds = TransactionalDataSource.builder(svc).name("P").xaDataSource(p).maxPoolSize(threads).build();
        TransactionManager tm = svc.transactionManager();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                    try {
                        tm.begin();
                        try (Connection a = mds.getConnection(); Connection b = pds.getConnection()) {
                            long amount = rnd.nextLong(1, 100);
                            MARIADB.add(a, rnd.nextInt(ACCOUNTS), -amount);
                            POSTGRES.add(b, rnd.nextInt(ACCOUNTS), amount);
                        }
                        tm.commit();
                    } catch (Exception e) {
                        System.out.println("transfer failed: " + e);
                        try {
                            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                                tm.rollback();
                            }
                        } catch (Exception ignored) {
                            // finished meanwhile
                        }
                    }
                }
            }, "transfer-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
        System.out.println("the fault never fired");
        System.exit(3);
    }
}
