package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.pledge.tm.log.db.StatementCountingDataSource;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lone committer pays exactly one force per two-phase transaction: counted by the journal, and
 * checked against the operating system with strace, which counts the fsync/fdatasync calls the
 * whole JVM makes (a run of N transactions minus a run of none). The database log's equivalent, on
 * PostgreSQL, MariaDB and H2: one committed batch and one decision insert per transaction.
 */
class OneForcePerTransactionTest {
    private static final int N = 150;

    @TempDir
    Path tmp;

    @Test
    void journalForcesOncePerTwoPhaseTransaction() throws Exception {
        ChildJvm.Result r = ChildJvm.run(tmp.resolve("out"), 120, ForceCountChild.class, tmp.resolve("log").toString(), String.valueOf(N));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("forces=" + N), "expected forces=" + N + " in:\n" + r.output());
    }

    /**
     * The database log's force is one database transaction with the decision in it: a lone committer's
     * transaction commits exactly one batch (the journal's count) and sends exactly one decision insert
     * (the statements seen by the driver), and no decision stays in the log once completions are deleted.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgresql", "mariadb", "h2"})
    void theDatabaseLogCommitsOneBatchWithOneDecisionInsertPerTransaction(String database) throws Exception {
        int n = 50;
        TestLog log = TestLog.of(database, tmp.resolve("db"));
        StatementCountingDataSource counted = new StatementCountingDataSource(log.dataSource());
        CallLog calls = new CallLog();
        try (TransactionService svc = TransactionService.builder().nodeName("force-db").databaseLog(counted.dataSource())
                .databaseLogTablePrefix(log.prefix()).recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            long before = svc.journal().forceCount();
            counted.clear();
            for (int i = 0; i < n; i++) {
                tm.begin();
                tm.getTransaction().enlistResource(new ScriptedXAResource("rm-a", calls));
                tm.getTransaction().enlistResource(new ScriptedXAResource("rm-b", calls));
                tm.commit();
            }
            assertEquals(n, svc.journal().forceCount() - before, "database transactions committed with decisions");
            long decisionInserts = counted.sent().stream().filter(q -> q.contains(log.prefix() + "decision (gtrid")).count();
            assertEquals(n, decisionInserts, "decision inserts sent: " + counted.sent().stream().distinct().toList());
            assertEquals(2L * n, calls.count("rm-a.commit(false)") + calls.count("rm-b.commit(false)"));
        } finally {
            log.drop();
        }
    }

    @Test
    void straceSeesOneSyncCallPerTransaction() throws Exception {
        long withTransactions = syncCalls(tmp.resolve("a"), N);
        long without = syncCalls(tmp.resolve("b"), 0);
        assertEquals(N, withTransactions - without, "fsync+fdatasync calls: " + withTransactions + " with " + N + " transactions, "
                + without + " without");
    }

    private long syncCalls(Path dir, int n) throws Exception {
        String summary = Strace.run(dir, List.of("-c"), "fsync,fdatasync", ForceCountChild.class, dir.resolve("log").toString(),
                String.valueOf(n));
        long calls = 0;
        Matcher m = Pattern.compile("^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?(fsync|fdatasync)\\s*$", Pattern.MULTILINE)
                .matcher(summary);
        while (m.find()) {
            calls += Long.parseLong(m.group(1));
        }
        return calls;
    }
}
