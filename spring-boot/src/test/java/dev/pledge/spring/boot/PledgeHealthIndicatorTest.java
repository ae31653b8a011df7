package dev.pledge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The {@code pledge} health indicator's status and details, named as docs/operations.md lists them. */
class PledgeHealthIndicatorTest {
    @TempDir
    Path tmp;

    @Test
    void itReportsTheDocumentedDetailsAndIsDownWithTheLogsProblemAsError() throws Exception {
        Path log = tmp.resolve("log");
        try (TransactionService svc = TransactionService.builder().nodeName("boot-health").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            PledgeHealthIndicator indicator = new PledgeHealthIndicator(svc, log);
            Health up = indicator.health();
            assertEquals(Status.UP, up.getStatus());
            assertEquals(Set.of("node", "logDirectory", "fenced", "activeTransactions", "oldestTransactionAgeMillis", "inDoubtDecisions",
                    "heuristicOutcomes", "lastRecoveryPass", "lastRecoveryPassClean"), up.getDetails().keySet());
            assertEquals("boot-health", up.getDetails().get("node"));
            assertEquals(log.toAbsolutePath().toString(), up.getDetails().get("logDirectory"));
            assertEquals(0, up.getDetails().get("inDoubtDecisions"));
            assertEquals(true, up.getDetails().get("lastRecoveryPassClean"));

            Files.move(log, tmp.resolve("log-aside"));
            Health down = indicator.health();
            assertEquals(Status.DOWN, down.getStatus());
            assertTrue(String.valueOf(down.getDetails().get("error")).contains("missing or not writable"), down.getDetails().toString());
            Files.move(tmp.resolve("log-aside"), log);
        }
    }
}
