package dev.pledge.tm;

import dev.pledge.tm.cluster.ClusterMember;

import dev.pledge.tm.log.Journal;

/** Reads the service's counters for JMX and Micrometer. */
final class Metrics implements TransactionMetricsMXBean {
    private final Counters counters;
    private final Journal journal;
    private final TransactionManagerImpl tm;
    private final HealthProbe health;

    /** Null with the file log. */
    private final ClusterMember cluster;

    Metrics(Counters counters, Journal journal, TransactionManagerImpl tm, HealthProbe health, ClusterMember cluster) {
        this.cluster = cluster;
        this.counters = counters;
        this.journal = journal;
        this.tm = tm;
        this.health = health;
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
        return health.inDoubtDecisions();
    }

    @Override
    public boolean isLogUsable() {
        return health.logUsable();
    }

    @Override
    public boolean isFenced() {
        return health.fenced();
    }

    @Override
    public int getHeuristicOutcomesAwaitingOperator() {
        return health.heuristicOutcomes();
    }

    @Override
    public long getOldestTransactionAgeMillis() {
        return health.oldestInFlightMillis();
    }

    @Override
    public long getLastRecoveryPassTime() {
        Health.RecoveryPass p = health.lastPass();
        return p == null ? 0 : p.finishedAt().toEpochMilli();
    }

    @Override
    public boolean isLastRecoveryPassClean() {
        Health.RecoveryPass p = health.lastPass();
        return p == null || p.isClean();
    }

    @Override
    public int getLastRecoveryPassPending() {
        Health.RecoveryPass p = health.lastPass();
        return p == null ? 0 : p.report().pending();
    }

    @Override
    public String getLeaseState() {
        return cluster == null ? "none (file log)" : cluster.leaseState();
    }

    @Override
    public boolean isLeaseHeld() {
        return cluster != null && cluster.leaseState().startsWith("held");
    }

    @Override
    public long getAdoptions() {
        return cluster == null ? 0 : cluster.adoptions();
    }

    @Override
    public int getAdoptedNodes() {
        return cluster == null ? 0 : cluster.adoptedInDoubt().size();
    }

    @Override
    public int getAdoptedInDoubt() {
        return cluster == null ? 0 : cluster.adoptedInDoubt().values().stream().mapToInt(Integer::intValue).sum();
    }
}
