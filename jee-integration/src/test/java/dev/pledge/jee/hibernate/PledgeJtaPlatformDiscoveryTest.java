package dev.pledge.jee.hibernate;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PledgeJtaPlatformDiscoveryTest {
    @TempDir
    Path dir;

    private TransactionService service(String node) {
        return TransactionService.builder().nodeName(node).logDirectory(dir.resolve(node)).recoveryInterval(Duration.ZERO).build();
    }

    @Test
    void theOnlyServiceTheApplicationBuiltIsFoundWithoutASetting() {
        try (TransactionService svc = service("jee-hib-only")) {
            PledgeJtaPlatform platform = new PledgeJtaPlatform();
            platform.configure(Map.of());
            assertSame(svc.transactionManager(), platform.retrieveTransactionManager());
        }
    }

    @Test
    void withSeveralServicesOpenTheErrorNamesThemAndTheSetting() {
        try (TransactionService a = service("jee-hib-a"); TransactionService b = service("jee-hib-b")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PledgeJtaPlatform().configure(Map.of()));
            assertTrue(e.getMessage().contains("jee-hib-a") && e.getMessage().contains("jee-hib-b")
                    && e.getMessage().contains(PledgeJtaPlatform.SERVICE), e.getMessage());
        }
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> new PledgeJtaPlatform().configure(Map.of()));
        assertTrue(none.getMessage().startsWith("No Pledge transaction service is running"), none.getMessage());
    }
}
