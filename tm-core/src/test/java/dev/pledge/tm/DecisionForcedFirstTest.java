package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checked against the operating system: in a real two-phase run, every byte the journal writes is
 * forced before the next phase-two commit reaches a resource manager. strace records the journal's
 * writes and syncs (by file name) and the renames by which {@link FileResourceManager} commits a
 * prepared branch, in the order the committing thread made them.
 */
class DecisionForcedFirstTest {
    private static final int N = 40;

    @TempDir
    Path tmp;

    @Test
    void everyDecisionIsOnDiskBeforeTheFirstPhaseTwoCommit() throws Exception {
        String trace = Strace.run(tmp, List.of("-y"), "write,fsync,fdatasync,rename,renameat,renameat2", ForceCountChild.class,
                tmp.resolve("log").toString(), String.valueOf(N));
        boolean unforced = false;
        int forces = 0;
        int commits = 0;
        for (String line : trace.lines().toList()) {
            boolean journal = line.contains("/pledge-") && line.contains(".log>");
            if (journal && line.contains(" write(")) {
                unforced = true;
            } else if (journal && (line.contains(" fdatasync(") || line.contains(" fsync("))) {
                unforced = false;
                forces++;
            } else if (line.contains("rename") && line.contains(".committed\"")) {
                assertTrue(!unforced, "a phase-two commit ran while journal bytes were not yet forced:\n" + line);
                commits++;
            }
        }
        assertEquals(2 * N, commits, "every branch committed by renaming its prepared file; trace:\n" + tail(trace));
        assertTrue(forces >= N, forces + " forces for " + N + " decisions");
    }

    /**
     * The database log's equivalent: when a phase-two commit reaches a resource, its transaction's
     * decision is already committed in the log database, seen from a connection of the test's own.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgresql", "mariadb", "h2"})
    void everyDecisionIsCommittedInTheLogDatabaseBeforeTheFirstPhaseTwoCommit(String database) throws Exception {
        TestLog testLog = TestLog.of(database, tmp.resolve("db"));
        DataSource direct = testLog.dataSource();
        CallLog calls = new CallLog();
        List<String> unseen = new CopyOnWriteArrayList<>();
        AtomicInteger checked = new AtomicInteger();
        class Checking extends ScriptedXAResource {
            Checking(String name) {
                super(name, calls);
            }

            @Override
            public void commit(Xid xid, boolean onePhase) throws XAException {
                if (LogDatabases.decisionRows(direct, testLog.prefix(), xid.getGlobalTransactionId()) != 1) {
                    unseen.add(resourceName() + " " + java.util.HexFormat.of().formatHex(xid.getGlobalTransactionId()));
                }
                checked.incrementAndGet();
                super.commit(xid, onePhase);
            }
        }
        try (TransactionService svc = testLog.build(TransactionService.builder().nodeName("forced-first").recoveryInterval(Duration.ZERO))) {
            TransactionManager tm = svc.transactionManager();
            for (int i = 0; i < N; i++) {
                tm.begin();
                tm.getTransaction().enlistResource(new Checking("rm-a"));
                tm.getTransaction().enlistResource(new Checking("rm-b"));
                tm.commit();
            }
        } finally {
            testLog.drop();
        }
        assertEquals(2 * N, checked.get(), "every branch committed in phase two");
        assertTrue(unseen.isEmpty(), "phase-two commits that ran before their decision was committed in the log: " + unseen);
    }

    private static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
