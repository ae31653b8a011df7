package dev.pledge.tm;

/**
 * Live counters of one {@link TransactionService}, since it was built. Registered as the JMX MXBean
 * {@code dev.pledge:type=TransactionService,node=<node name>}; {@code PledgeMeterBinder} publishes
 * the same figures to Micrometer.
 */
public interface TransactionMetricsMXBean {
    long getBegun();

    long getCommitted();

    long getRolledBack();

    long getTimedOut();

    long getHeuristic();

    /** Commit decisions written to the log (two-phase transactions that reached the decision). */
    long getDecisionsLogged();

    /** Forces (fdatasync) of the log. */
    long getLogForces();

    /** Commit decisions per force: how well concurrent committers share a force. */
    double getAverageGroupCommitBatch();

    /** Transactions begun and not yet completed. */
    int getActiveTransactions();

    /** Commit decisions whose branches are not all finished yet. */
    int getPendingDecisions();
}
