package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Builds the {@link TransactionService} from {@link PledgeProperties}, then the application's
 * {@link TransactionServiceCustomizer}s, naming the property at fault when one is unusable. The service runs no background recovery of its own: {@link RecoveryPasses} does.
 */
final class TransactionServiceFactory {
    /** Xids carry the node name in at most this many bytes (tm-core's limit). */
    static final int MAX_NODE_NAME_BYTES = 47;

    private TransactionServiceFactory() {
    }

    static TransactionService create(PledgeProperties p, Iterable<TransactionServiceCustomizer> customizers) {
        TransactionService.Builder b = TransactionService.builder();
        String node = p.getNodeName();
        if (node != null) {
            int bytes = node.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_NODE_NAME_BYTES) {
                throw new InvalidPledgePropertyException("pledge.node-name", node, "must be 1 to " + MAX_NODE_NAME_BYTES
                        + " bytes of UTF-8 (it is " + bytes + ")");
            }
            if (node.indexOf(':') >= 0) {
                throw new InvalidPledgePropertyException("pledge.node-name", node, "must not contain ':'");
            }
            b.nodeName(node);
        }
        Duration timeout = require("pledge.default-timeout", p.getDefaultTimeout());
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidPledgePropertyException("pledge.default-timeout", timeout, "must be positive");
        }
        Duration interval = require("pledge.recovery-interval", p.getRecoveryInterval());
        if (interval.isNegative()) {
            throw new InvalidPledgePropertyException("pledge.recovery-interval", interval, "must be positive, or 0 to disable background recovery");
        }
        PledgeProperties.Database database = p.getLog().getDatabase();
        if (database.isSet()) {
            String url = database.getUrl().trim();
            if (!url.startsWith("jdbc:")) {
                throw new InvalidPledgePropertyException("pledge.log.database.url", dev.pledge.tm.Redaction.url(url),
                        "must be a JDBC URL (jdbc:postgresql://..., jdbc:mariadb://..., jdbc:h2:file:...)");
            }
            String prefix = require("pledge.log.database.table-prefix", database.getTablePrefix());
            Duration lease = require("pledge.log.database.lease-duration", database.getLeaseDuration());
            if (lease.toMillis() < 300) {
                throw new InvalidPledgePropertyException("pledge.log.database.lease-duration", lease, "must be at least 300ms");
            }
            b.databaseLog(dev.pledge.tm.log.db.UrlDataSources.of(url, database.getUsername(), database.getPassword()))
                    .databaseLogTablePrefix(prefix)
                    .leaseDuration(lease);
        } else {
            b.logDirectory(require("pledge.log.directory", p.getLog().getDirectory()));
        }
        b.defaultTimeout(timeout)
                .recoveryInterval(Duration.ZERO) // RecoveryPasses runs them, and keeps their reports
                .parallelPhases(p.isParallelPhases());
        for (TransactionServiceCustomizer c : customizers) {
            c.customize(b);
        }
        return b.build();
    }

    private static <T> T require(String property, T value) {
        if (value == null) {
            throw new InvalidPledgePropertyException(property, "", "is required");
        }
        return value;
    }
}
