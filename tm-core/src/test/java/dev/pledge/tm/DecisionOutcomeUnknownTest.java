package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.JournalOutcomeUnknownException;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A log that cannot tell whether a decision landed (its COMMIT had no known outcome and it was
 * closed before reading back): the coordinator must not guess. It leaves the prepared branches to
 * recovery instead of rolling them back, and says so.
 */
class DecisionOutcomeUnknownTest {
    @Test
    void aDecisionWithUnknownOutcomeLeavesThePreparedBranchesToRecovery() throws Exception {
        CallLog calls = new CallLog();
        Journal unsure = new Journal() {
            @Override
            public void logCommit(CommitRecord record) throws java.io.IOException {
                calls.add("journal.commit");
                throw new JournalOutcomeUnknownException("COMMIT of the decision batch failed: connection reset (scripted)", null);
            }

            @Override
            public void logCompleted(Gtrid gtrid) {
                calls.add("journal.completed");
            }

            @Override
            public void logHeuristic(HeuristicRecord record) {
            }

            @Override
            public void logResolved(Gtrid gtrid) {
            }

            @Override
            public CommitRecord pendingCommit(Gtrid gtrid) {
                return null;
            }

            @Override
            public Collection<CommitRecord> pendingCommits() {
                return List.of();
            }

            @Override
            public Collection<HeuristicRecord> heuristics() {
                return List.of();
            }

            @Override
            public long forceCount() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        try (TransactionService svc = TransactionService.builder().nodeName("unsure").logDirectory(Path.of("unused"))
                .recoveryInterval(Duration.ZERO).journal(c -> unsure).build()) {
            TransactionManager tm = svc.transactionManager();
            ScriptedXAResource a = new ScriptedXAResource("a", calls);
            ScriptedXAResource b = new ScriptedXAResource("b", calls);
            tm.begin();
            tm.getTransaction().enlistResource(a);
            tm.getTransaction().enlistResource(b);
            var tx = tm.getTransaction();
            SystemException e = assertThrows(SystemException.class, tm::commit);
            assertTrue(e.getMessage().contains("unknown") && e.getMessage().contains("left to recovery"), e.getMessage());
            assertEquals(1, a.prepared.size(), "rm a keeps its prepared branch for recovery: " + calls);
            assertEquals(1, b.prepared.size(), "rm b keeps its prepared branch for recovery: " + calls);
            assertEquals(0, calls.count("a.rollback") + calls.count("b.rollback") + calls.count("a.commit") + calls.count("b.commit"),
                    calls.toString());
            assertEquals(Status.STATUS_UNKNOWN, tx.getStatus());
        }
    }
}
