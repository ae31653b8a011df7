package dev.pledge.itests;

import dev.pledge.tm.DrainResult;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.XADataSource;

/**
 * One node of a Pledge cluster in a JVM of its own, for the takeover tests: its log is in a database
 * shared with its peers ({@link LogDatabase}), its lease and recovery interval are short, and it
 * moves money from MariaDB ({@code M}) to PostgreSQL ({@code P}) until it is killed, or until the
 * line {@code drain} on its standard input makes it drain, print the result and exit 0.
 * <p>
 * It prints {@code commit N} after its N-th commit. With a pause point, the {@code NTH} prepare or
 * commit on {@code PAUSE_TARGET} prints {@value #PAUSING} and the point, then sleeps
 * {@value #PAUSE_MILLIS} ms (the test stops the JVM with SIGSTOP meanwhile), prints
 * {@value #RESUMED} and carries on.
 * <pre>
 * NODE LOG_URL PREFIX LEASE_MS RECOVERY_MS TABLES THREADS PAUSE_TARGET(M|P|none) PAUSE_POINT NTH
 * </pre>
 */
public final class ClusterNode {
    static final String PAUSING = "pausing at";
    static final String RESUMED = "resumed";
    static final String DRAINED = "drained";
    static final long PAUSE_MILLIS = 2000;

    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        String node = args[0];
        LogDatabase log = new LogDatabase(args[1], args[2]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        Duration recovery = Duration.ofMillis(Long.parseLong(args[4]));
        String tables = args[5];
        int threads = Integer.parseInt(args[6]);
        String target = args[7];
        FaultyXADataSource.Point point = FaultyXADataSource.Point.valueOf(args[8]);
        int nth = Integer.parseInt(args[9]);
        Runnable pause = () -> {
            System.out.println(PAUSING + " " + point + " on " + target);
            System.out.flush();
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println(RESUMED);
            System.out.flush();
        };
        XADataSource m = FaultyXADataSource.onTarget("M", target, Servers.mariaDb(), point, nth, pause);
        XADataSource p = FaultyXADataSource.onTarget("P", target, Servers.postgres(), point, nth, pause);
        TransactionService svc = TransferNode.service(node, log, lease).recoveryInterval(recovery).drainTimeout(Duration.ofSeconds(20))
                .build();
        // Recovery takes its connections from these pools: one more than the transfer threads, so that transfers blocked on the
        // locks of a dead peer's prepared branches cannot starve the recovery that would release them.
        TransactionalDataSource mds = TransactionalDataSource.builder(svc).name("M").xaDataSource(m).maxPoolSize(threads + 1).build();
        TransactionalDataSource pds = TransactionalDataSource.builder(svc).name("P").xaDataSource(p).maxPoolSize(threads + 1).build();
        AtomicInteger commits = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        new Transfers(svc.transactionManager(), mds, TransferNode.mariaDbAccounts(tables), pds, TransferNode.postgresAccounts(tables),
                TransferNode.ACCOUNTS).start(threads, (Transfers.Listener) () -> {
                    System.out.println("commit " + commits.incrementAndGet());
                    System.out.flush();
                }, running::get);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("drain")) {
                running.set(false); // the transfers in flight finish; the drain waits for them
                DrainResult r = svc.drain(Duration.ofSeconds(20));
                System.out.println(DRAINED + " " + (r.isClean() ? "clean" : "unclean") + " " + r);
                System.out.flush();
                svc.close();
                System.exit(0);
            }
        }
        Thread.sleep(Long.MAX_VALUE); // stdin closed: run until killed
    }
}
