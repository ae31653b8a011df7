package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionMetricsMXBean;
import dev.pledge.tm.TransactionService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health {@code pledge}: DOWN when the recovery log's directory is gone or not writable (the
 * service cannot log commit decisions); details: node, log directory, active transactions,
 * commit decisions still in doubt, heuristic outcomes, and the last recovery pass.
 */
final class PledgeHealthIndicator extends AbstractHealthIndicator {
    private final TransactionService service;
    private final Path logDirectory;
    private final RecoveryPasses recovery;

    PledgeHealthIndicator(TransactionService service, Path logDirectory, RecoveryPasses recovery) {
        super("Pledge health check failed");
        this.service = service;
        this.logDirectory = logDirectory == null ? null : logDirectory.toAbsolutePath(); // null: a database log
        this.recovery = recovery;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        TransactionMetricsMXBean m = service.metrics();
        boolean logUsable = logDirectory == null || Files.isDirectory(logDirectory) && Files.isWritable(logDirectory);
        (logUsable ? builder.up() : builder.down().withDetail("error", "recovery log directory missing or not writable"))
                .withDetail("node", service.nodeName())
                .withDetail(logDirectory == null ? "log" : "logDirectory", logDirectory == null ? "database" : logDirectory.toString())
                .withDetail("activeTransactions", m.getActiveTransactions())
                .withDetail("inDoubtDecisions", m.getPendingDecisions())
                .withDetail("heuristicOutcomes", m.getHeuristic());
        RecoveryPasses.Pass pass = recovery == null ? null : recovery.last();
        if (pass != null) {
            builder.withDetail("lastRecoveryPass", pass.toString());
        }
    }
}
