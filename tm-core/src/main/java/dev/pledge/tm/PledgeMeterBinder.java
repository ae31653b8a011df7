package dev.pledge.tm;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a service's {@link TransactionMetricsMXBean} figures to Micrometer as
 * {@code pledge.transactions{outcome=…}}, {@code pledge.log.forces}, {@code pledge.log.group.commit.batch},
 * {@code pledge.transactions.active}, {@code pledge.decisions.pending} and the {@link Health} figures
 * ({@code pledge.log.usable}, {@code pledge.node.fenced}, {@code pledge.heuristics.pending},
 * {@code pledge.transactions.oldest.age}, {@code pledge.recovery.last.pending}, {@code pledge.recovery.last.clean}) and,
 * with a database log, the cluster's ({@code pledge.lease.held}, {@code pledge.cluster.adoptions},
 * {@code pledge.cluster.adopted.nodes}, {@code pledge.cluster.adopted.indoubt}),
 * tagged with the node name.
 * Micrometer is an optional dependency: only this class needs it.
 */
public final class PledgeMeterBinder implements MeterBinder {
    private final TransactionService service;

    public PledgeMeterBinder(TransactionService service) {
        this.service = service;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        TransactionMetricsMXBean m = service.metrics();
        Tags node = Tags.of("node", service.nodeName());
        counter(registry, node.and("outcome", "begun"), m, TransactionMetricsMXBean::getBegun);
        counter(registry, node.and("outcome", "committed"), m, TransactionMetricsMXBean::getCommitted);
        counter(registry, node.and("outcome", "rolled_back"), m, TransactionMetricsMXBean::getRolledBack);
        counter(registry, node.and("outcome", "timed_out"), m, TransactionMetricsMXBean::getTimedOut);
        counter(registry, node.and("outcome", "heuristic"), m, TransactionMetricsMXBean::getHeuristic);
        FunctionCounter.builder("pledge.log.forces", m, TransactionMetricsMXBean::getLogForces)
                .description("forces (fdatasync) of the recovery log").tags(node).register(registry);
        gauge(registry, "pledge.log.group.commit.batch", "commit decisions per log force", node, m,
                TransactionMetricsMXBean::getAverageGroupCommitBatch);
        gauge(registry, "pledge.transactions.active", "transactions begun and not completed", node, m,
                TransactionMetricsMXBean::getActiveTransactions);
        gauge(registry, "pledge.decisions.pending", "commit decisions with unfinished branches", node, m,
                TransactionMetricsMXBean::getPendingDecisions);
        gauge(registry, "pledge.log.usable", "1 when the recovery log can write decisions and the node is not fenced", node, m,
                x -> x.isLogUsable() ? 1 : 0);
        gauge(registry, "pledge.node.fenced", "1 when another service took this node over", node, m, x -> x.isFenced() ? 1 : 0);
        gauge(registry, "pledge.heuristics.pending", "heuristic outcomes awaiting an operator", node, m,
                TransactionMetricsMXBean::getHeuristicOutcomesAwaitingOperator);
        gauge(registry, "pledge.transactions.oldest.age", "age of the oldest transaction in flight, in seconds", node, m,
                x -> x.getOldestTransactionAgeMillis() / 1000.0);
        gauge(registry, "pledge.recovery.last.pending", "branches the last recovery pass left pending", node, m,
                TransactionMetricsMXBean::getLastRecoveryPassPending);
        gauge(registry, "pledge.lease.held", "1 when this node holds its database-log lease and its last renewal succeeded", node, m,
                x -> x.isLeaseHeld() ? 1 : 0);
        FunctionCounter.builder("pledge.cluster.adoptions", m, TransactionMetricsMXBean::getAdoptions)
                .description("peers this node took over after their lease ran out").tags(node).register(registry);
        gauge(registry, "pledge.cluster.adopted.nodes", "adopted nodes this node still works on", node, m,
                TransactionMetricsMXBean::getAdoptedNodes);
        gauge(registry, "pledge.cluster.adopted.indoubt", "decisions and heuristic outcomes of adopted nodes still in doubt", node, m,
                TransactionMetricsMXBean::getAdoptedInDoubt);
        gauge(registry, "pledge.recovery.last.clean", "1 when the last recovery pass left nothing for a later one", node, m,
                x -> x.isLastRecoveryPassClean() ? 1 : 0);
    }

    private static void counter(MeterRegistry registry, Tags tags, TransactionMetricsMXBean m,
                                java.util.function.ToLongFunction<TransactionMetricsMXBean> f) {
        FunctionCounter.builder("pledge.transactions", m, x -> f.applyAsLong(x)).description("transactions by outcome").tags(tags)
                .register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags, TransactionMetricsMXBean m,
                              ToDoubleFunction<TransactionMetricsMXBean> f) {
        Gauge.builder(name, m, f).description(description).tags(tags).register(registry);
    }
}
