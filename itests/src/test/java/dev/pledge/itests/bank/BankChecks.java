package dev.pledge.itests.bank;

import dev.pledge.itests.Servers;
import dev.pledge.tm.RecoveryLog;
import dev.pledge.xa.lock.LockService;
import dev.pledge.xa.lock.LockTimeoutException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The end-state checks of the bank after a round, read from the servers themselves: plain JDBC,
 * the broker's queue, XA recovery scans, the lock table and the recovery log.
 */
final class BankChecks {
    /** One check: its name, whether it passed, and the figures that decided it. */
    record Check(String name, boolean ok, String detail) {
        @Override
        public String toString() {
            return "[" + (ok ? "ok" : "FAILED") + "] " + name + ": " + detail;
        }
    }

    private final PrivateMariaDb mariaDb;
    private final BankBroker broker;
    private final List<String> messages = new ArrayList<>();

    BankChecks(PrivateMariaDb mariaDb, BankBroker broker) {
        this.mariaDb = mariaDb;
        this.broker = broker;
    }

    /** Creates database {@value BankConfig#DATABASE} on the private MariaDB and on PostgreSQL where it is missing. */
    void createDatabases() throws SQLException {
        try (Connection c = mariaDb.connection("mysql"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + BankConfig.DATABASE);
        }
        Servers.createDatabases(BankConfig.DATABASE);
    }

    /** Creates the tables (again) and opens every account with {@link BankConfig#OPENING_BALANCE}. */
    void openAccounts() throws SQLException {
        for (boolean maria : new boolean[] {true, false}) {
            try (Connection c = maria ? mariaDb.connection(BankConfig.DATABASE) : Servers.postgresConnection(BankConfig.DATABASE);
                    Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS e2e_account");
                s.execute("DROP TABLE IF EXISTS e2e_transfer");
                s.execute("CREATE TABLE e2e_account (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
                s.execute("CREATE TABLE e2e_transfer (id VARCHAR(40) PRIMARY KEY, from_account BIGINT NOT NULL,"
                        + " to_account BIGINT NOT NULL, amount BIGINT NOT NULL)");
                for (int i = 0; i < BankConfig.ACCOUNTS; i++) {
                    long id = maria ? BankConfig.mariaDbAccount(i) : BankConfig.postgresAccount(i);
                    s.execute("INSERT INTO e2e_account VALUES (" + id + ", " + BankConfig.OPENING_BALANCE + ")");
                }
            }
        }
    }

    /** Committed transfers: those recorded in MariaDB. */
    Set<String> committedTransfers() throws SQLException {
        return ids(mariaDb.connection(BankConfig.DATABASE));
    }

    /**
     * Runs every check; {@code nodes} are the Pledge node names whose prepared branches must all be
     * gone. {@code log} is the recovery log of a service that has been closed, or null for a
     * running one (which may write a commit's end record after {@code commit} returned).
     */
    List<Check> run(LockService locks, TransactionManager tm, Path log, String... nodes) throws Exception {
        List<Check> checks = new ArrayList<>();
        long expected = 2L * BankConfig.ACCOUNTS * BankConfig.OPENING_BALANCE;
        long inMaria = total(mariaDb.connection(BankConfig.DATABASE));
        long inPostgres = total(Servers.postgresConnection(BankConfig.DATABASE));
        checks.add(new Check("money conserved", inMaria + inPostgres == expected,
                inMaria + " in MariaDB + " + inPostgres + " in PostgreSQL = " + (inMaria + inPostgres) + ", opened with " + expected));

        Set<String> inM = committedTransfers();
        Set<String> inP = ids(Servers.postgresConnection(BankConfig.DATABASE));
        checks.add(new Check("each transfer in both databases or in neither", inM.equals(inP),
                inM.size() + " in MariaDB, " + inP.size() + " in PostgreSQL" + differences("only in MariaDB", inM, inP)
                        + differences("only in PostgreSQL", inP, inM)));

        messages.addAll(broker.drain(BankConfig.QUEUE));
        Map<String, Integer> counts = new HashMap<>();
        messages.forEach(m -> counts.merge(m, 1, Integer::sum));
        Set<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
        checks.add(new Check("one message per committed transfer", duplicated.isEmpty() && counts.keySet().equals(inM),
                messages.size() + " messages for " + inM.size() + " transfers" + differences("without a message", inM, counts.keySet())
                        + differences("messages of no transfer", counts.keySet(), inM) + (duplicated.isEmpty() ? "" : "; duplicated " + duplicated)));

        Map<String, Integer> prepared = new HashMap<>();
        for (String node : nodes) {
            prepared.merge("MariaDB", Servers.mariaDbXidsOf(mariaDb.connection("mysql"), node).size(), Integer::sum);
            prepared.merge("PostgreSQL", Servers.postgresXidsOf(node).size(), Integer::sum);
            prepared.merge("Artemis", broker.preparedOf(node).size(), Integer::sum);
            prepared.merge("locks", preparedLocks(locks, node), Integer::sum);
        }
        checks.add(new Check("no prepared branch left", prepared.values().stream().allMatch(n -> n == 0), prepared.toString()));

        int held = heldLocks(locks, tm, Duration.ofSeconds(15));
        checks.add(new Check("no lock held", held == 0, (2 * BankConfig.ACCOUNTS - held) + " of " + 2 * BankConfig.ACCOUNTS + " account locks free"));

        if (log == null) {
            return checks;
        }
        RecoveryLog.Contents contents = RecoveryLog.inspect(log);
        checks.add(new Check("recovery log empty of completed work", contents.inDoubt().isEmpty() && contents.heuristics().isEmpty(),
                contents.inDoubt().size() + " decisions in doubt, " + contents.heuristics().size() + " heuristic outcomes"));
        return checks;
    }

    private static int preparedLocks(LockService locks, String node) throws Exception {
        XAResource r = locks.recoveryResource();
        Xid[] xids = r.recover(XAResource.TMSTARTRSCAN);
        r.recover(XAResource.TMENDRSCAN);
        int n = 0;
        for (Xid x : xids == null ? new Xid[0] : xids) {
            n += Servers.isFromNode(x, node) ? 1 : 0;
        }
        return n;
    }

    /**
     * Account locks still held, tried without waiting in a transaction that is rolled back. A
     * killed coordinator's unprepared locks go with its ZooKeeper session: wait up to {@code patience}.
     */
    private static int heldLocks(LockService locks, TransactionManager tm, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            int held = 0;
            tm.begin();
            try {
                for (int i = 0; i < BankConfig.ACCOUNTS; i++) {
                    for (long account : new long[] {BankConfig.mariaDbAccount(i), BankConfig.postgresAccount(i)}) {
                        try {
                            locks.tryLock(BankConfig.lockKey(account), Duration.ZERO);
                        } catch (LockTimeoutException e) {
                            held++;
                        }
                    }
                }
            } finally {
                tm.rollback();
            }
            if (held == 0 || System.nanoTime() > deadline) {
                return held;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static long total(Connection connection) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(balance) FROM e2e_account")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> ids(Connection connection) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM e2e_transfer")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static String differences(String label, Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d.isEmpty() ? "" : "; " + d.size() + " " + label + " (e.g. " + d.iterator().next() + ")";
    }
}
