package dev.pledge.itests.jee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One observer of {@link OrderPlaced} per transaction phase. Each records its phase, the status of
 * the thread's transaction and whether the event's row is committed in {@link LedgerTable}; the
 * BEFORE_COMPLETION one also writes the event's {@code beforeCompletionRow} (in the transaction, if any).
 */
@ApplicationScoped
public class OrderObservers {
    @Inject
    TransactionManager tm;
    @Inject
    LedgerTable ledger;
    private final List<String> log = new ArrayList<>();

    void inProgress(@Observes(during = TransactionPhase.IN_PROGRESS) OrderPlaced e) {
        record("IN_PROGRESS", e);
    }

    void beforeCompletion(@Observes(during = TransactionPhase.BEFORE_COMPLETION) OrderPlaced e) throws SQLException {
        record("BEFORE_COMPLETION", e);
        if (e.beforeCompletionRow() != null) {
            ledger.insert(e.beforeCompletionRow());
        }
    }

    void afterCompletion(@Observes(during = TransactionPhase.AFTER_COMPLETION) OrderPlaced e) {
        record("AFTER_COMPLETION", e);
    }

    void afterSuccess(@Observes(during = TransactionPhase.AFTER_SUCCESS) OrderPlaced e) {
        record("AFTER_SUCCESS", e);
    }

    void afterFailure(@Observes(during = TransactionPhase.AFTER_FAILURE) OrderPlaced e) {
        record("AFTER_FAILURE", e);
    }

    private void record(String phase, OrderPlaced e) {
        try {
            add(phase + " status " + tm.getStatus() + " committed " + ledger.committed(e.label()));
        } catch (SystemException | SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private synchronized void add(String entry) {
        log.add(entry);
    }

    /** What the observers recorded since the last call, in call order. */
    public synchronized List<String> takeAll() {
        List<String> all = List.copyOf(log);
        log.clear();
        return all;
    }
}
