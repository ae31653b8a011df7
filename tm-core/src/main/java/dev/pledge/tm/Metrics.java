package dev.pledge.tm;

import dev.pledge.tm.log.Journal;

/** Reads the service's counters for JMX and Micrometer. */
final class Metrics implements TransactionMetricsMXBean {
    private final Counters counters;
    private final Journal journal;
    private final TransactionManagerImpl tm;

    Metrics(Counters counters, Journal journal, TransactionManagerImpl tm) {
        this.counters = counters;
        this.journal = journal;
        this.tm = tm;
    }

    @Override
    public long getBegun() {
        return counters.begun.sum();
    }

    @Override
    public long getCommitted() {
        return counters.committed.sum();
    }

    @Override
    public long getRolledBack() {
        return counters.rolledBack.sum();
    }

    @Override
    public long getTimedOut() {
        return counters.timedOut.sum();
    }

    @Override
    public long getHeuristic() {
        return counters.heuristic.sum();
    }

    @Override
    public long getDecisionsLogged() {
        return counters.decisionsLogged.sum();
    }

    @Override
    public long getLogForces() {
        return journal.forceCount();
    }

    @Override
    public double getAverageGroupCommitBatch() {
        long forces = journal.forceCount();
        return forces == 0 ? 0 : (double) counters.decisionsLogged.sum() / forces;
    }

    @Override
    public int getActiveTransactions() {
        return tm.liveTransactions().size();
    }

    @Override
    public int getPendingDecisions() {
        return journal.pendingCommits().size();
    }
}
