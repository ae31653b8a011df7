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

    /** Commit decisions whose branches are not all finished yet; -1 when the log cannot tell (see {@link Health}). */
    int getPendingDecisions();

    /** The recovery log can write commit decisions and the node is not fenced: {@link Health#isUp()}. */
    boolean isLogUsable();

    /** Another service took this node over. */
    boolean isFenced();

    /** Heuristic outcomes kept in the log until an operator resolves them; -1 when the log cannot tell. */
    int getHeuristicOutcomesAwaitingOperator();

    /** Age of the oldest transaction in flight, in milliseconds (0 when there is none). */
    long getOldestTransactionAgeMillis();

    /** When the last recovery pass ended (milliseconds since the epoch), 0 before the first. */
    long getLastRecoveryPassTime();

    /** The last recovery pass left nothing for a later one (true before the first). */
    boolean isLastRecoveryPassClean();

    /** Branches the last recovery pass left pending (0 before the first). */
    int getLastRecoveryPassPending();

    /** With a database log: this node's lease (held, renewal failing and why, fenced, closed); "none (file log)" otherwise. */
    String getLeaseState();

    /** With a database log: this node holds its lease and its last renewal succeeded. */
    boolean isLeaseHeld();

    /** Peers this node took over (adopted) since it started, their lease having run out. */
    long getAdoptions();

    /** Adopted nodes this node still works on (something of them was in doubt at its last round). */
    int getAdoptedNodes();

    /** Commit decisions and heuristic outcomes of the adopted nodes still in doubt. */
    int getAdoptedInDoubt();
}
