package dev.pledge.jee;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceRegistryTest {
    @TempDir
    Path dir;

    @Test
    void aSharedServiceClosesWithTheLastReleaseOnly() {
        String node = "registry-uses";
        TransactionService svc = ServiceRegistry.computeIfAbsent(node, () -> TransactionService.builder().nodeName(node)
                .logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO).build());
        assertSame(svc, ServiceRegistry.acquire(node));
        assertSame(svc, ServiceRegistry.acquire(node));

        ServiceRegistry.release(node);
        assertTrue(ServiceRegistry.find(node).isPresent(), "one use is left");

        ServiceRegistry.release(node);
        assertFalse(ServiceRegistry.find(node).isPresent(), "the last release unregisters it");
        // and closed it: its log is free for a new service
        TransactionService.builder().nodeName(node).logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO).build().close();
    }

    @Test
    void acquiringAServiceThatIsNotRunningFailsNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ServiceRegistry.acquire("not-running"));
        assertTrue(e.getMessage().contains("'not-running'"), e.getMessage());
    }
}
