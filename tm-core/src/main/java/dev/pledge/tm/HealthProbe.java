package dev.pledge.tm;

import dev.pledge.tm.log.Journal;
import java.time.Duration;
import java.time.Instant;

/** Takes a {@link Health} view of one service; never throws. */
final class HealthProbe {
    private final String node;
    private final Journal journal;
    private final TransactionManagerImpl tm;
    private final Recovery recovery;

    HealthProbe(String node, Journal journal, TransactionManagerImpl tm, Recovery recovery) {
        this.node = node;
        this.journal = journal;
        this.tm = tm;
        this.recovery = recovery;
    }

    Health take() {
        String problem = safely(journal::failure);
        boolean fenced = fenced();
        if (problem == null && fenced) {
            problem = safely(journal::refusal);
        }
        int inDoubt = -1;
        int heuristics = -1;
        try {
            inDoubt = journal.pendingCommits().size();
            heuristics = journal.heuristics().size();
        } catch (RuntimeException e) { // FileJournal after an unknown outcome: its live state is no longer the truth
            if (problem == null) {
                problem = "the recovery log cannot say what is pending: " + e.getMessage();
            }
        }
        long now = System.nanoTime();
        int inFlight = 0;
        long oldest = 0;
        try {
            for (TransactionImpl tx : tm.liveTransactions()) {
                inFlight++;
                oldest = Math.max(oldest, now - tx.beganNanos());
            }
        } catch (RuntimeException e) {
            inFlight = -1;
        }
        return new Health(node, Instant.now(), problem == null, problem, fenced, inDoubt, heuristics, recovery.lastPass(), inFlight,
                Duration.ofNanos(oldest));
    }

    int inDoubtDecisions() {
        try {
            return journal.pendingCommits().size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    int heuristicOutcomes() {
        try {
            return journal.heuristics().size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    long oldestInFlightMillis() {
        long now = System.nanoTime();
        long oldest = 0;
        for (TransactionImpl tx : tm.liveTransactions()) {
            oldest = Math.max(oldest, now - tx.beganNanos());
        }
        return oldest / 1_000_000;
    }

    boolean logUsable() {
        return safely(journal::failure) == null && !fenced() && inDoubtDecisions() >= 0;
    }

    boolean fenced() {
        try {
            return journal.fenced();
        } catch (RuntimeException e) {
            return false;
        }
    }

    Health.RecoveryPass lastPass() {
        return recovery.lastPass();
    }

    private static String safely(java.util.function.Supplier<String> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return "the recovery log could not say whether it is usable: " + e;
        }
    }
}
