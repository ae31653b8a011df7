package dev.pledge.itests;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
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

        XADataSource m = FaultyXADataSource.onTarget("M", target, Servers.mariaDb(), point, nth, halt);
        XADataSource p = FaultyXADataSource.onTarget("P", target, Servers.postgres(), point, nth, halt);
        TransactionService svc = TransactionService.builder().nodeName(node).logDirectory(log).recoveryInterval(Duration.ZERO).build();
        TransactionalDataSource mds = TransactionalDataSource.builder(svc).name("M").xaDataSource(m).maxPoolSize(threads).build();
        TransactionalDataSource pds = TransactionalDataSource.builder(svc).name("P").xaDataSource(p).maxPoolSize(threads).build();
        TransactionManager tm = svc.transactionManager();
        new Transfers(tm, mds, MARIADB, pds, POSTGRES, ACCOUNTS).start(threads, () -> { });
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
        System.out.println("the fault never fired");
        System.exit(3);
    }
}
