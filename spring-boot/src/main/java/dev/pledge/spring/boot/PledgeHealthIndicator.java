package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health {@code pledge}, from the service's own {@link TransactionService#health()}: DOWN when the
 * recovery log cannot write commit decisions (it failed, its directory is gone, its database is
 * unreachable) or the node is fenced, with the cause as {@code error}; details: node, log
 * directory, transactions in flight and the oldest one's age, commit decisions in doubt, heuristic
 * outcomes awaiting an operator, and the last recovery pass.
 */
final class PledgeHealthIndicator extends AbstractHealthIndicator {
    private final TransactionService service;
    private final Path logDirectory;

    PledgeHealthIndicator(TransactionService service, Path logDirectory) {
        super("Pledge health check failed");
        this.service = service;
        this.logDirectory = logDirectory == null ? null : logDirectory.toAbsolutePath(); // null: a database log
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        dev.pledge.tm.Health h = service.health();
        if (h.isUp()) {
            builder.up();
        } else {
            builder.down().withDetail("error", h.logProblem() != null ? h.logProblem() : "the node is fenced");
        }
        builder.withDetail("node", h.node())
                .withDetail(logDirectory == null ? "log" : "logDirectory", logDirectory == null ? "database" : logDirectory.toString())
                .withDetail("fenced", h.fenced())
                .withDetail("activeTransactions", h.inFlight())
                .withDetail("oldestTransactionAgeMillis", h.oldestInFlight().toMillis())
                .withDetail("inDoubtDecisions", h.inDoubtDecisions())
                .withDetail("heuristicOutcomes", h.heuristicOutcomes());
        dev.pledge.tm.Health.RecoveryPass pass = h.lastRecoveryPass();
        if (pass != null) {
            builder.withDetail("lastRecoveryPass", pass.finishedAt() + ": " + pass.report())
                    .withDetail("lastRecoveryPassClean", pass.isClean());
        }
    }
}
