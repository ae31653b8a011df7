package dev.pledge.jee.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.jee.ServiceRegistry;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.Synchronization;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void theSettingChoosesAServiceByItselfOrByItsRegisteredNodeName() {
        try (TransactionService a = service("jee-hib-set-a"); TransactionService b = service("jee-hib-set-b")) {
            PledgeJtaPlatform byService = new PledgeJtaPlatform();
            byService.configure(Map.of(PledgeJtaPlatform.SERVICE, b));
            assertSame(b.transactionManager(), byService.retrieveTransactionManager());

            ServiceRegistry.register(a);
            try {
                PledgeJtaPlatform byName = new PledgeJtaPlatform();
                byName.configure(Map.of(PledgeJtaPlatform.SERVICE, "jee-hib-set-a"));
                assertSame(a.transactionManager(), byName.retrieveTransactionManager());
                IllegalStateException unknown = assertThrows(IllegalStateException.class,
                        () -> new PledgeJtaPlatform().configure(Map.of(PledgeJtaPlatform.SERVICE, "jee-hib-set-b")));
                assertTrue(unknown.getMessage().contains("'jee-hib-set-b'") && unknown.getMessage().contains("jee-hib-set-a"),
                        "a name that is not registered is refused naming the registered ones: " + unknown.getMessage());
            } finally {
                ServiceRegistry.unregister(a);
            }
        }
    }

    @Test
    void withoutASettingTheOnlyRegisteredServiceIsChosenOverOthersThatAreOpen() {
        try (TransactionService registered = service("jee-hib-registered"); TransactionService other = service("jee-hib-other")) {
            ServiceRegistry.register(registered);
            try {
                PledgeJtaPlatform platform = new PledgeJtaPlatform();
                platform.configure(Map.of());
                assertSame(registered.transactionManager(), platform.retrieveTransactionManager());
            } finally {
                ServiceRegistry.unregister(registered);
            }
        }
    }

    @Test
    void hibernatesSynchronizationsAreInterposedAndRunAfterTheApplicationsBeforeCompletion() throws Exception {
        try (TransactionService svc = service("jee-hib-sync")) {
            PledgeJtaPlatform platform = new PledgeJtaPlatform(svc);
            List<String> order = new ArrayList<>();
            svc.transactionManager().begin();
            assertTrue(platform.canRegisterSynchronization());
            platform.registerSynchronization(new Recording("hibernate", order));
            svc.transactionManager().getTransaction().registerSynchronization(new Recording("application", order));
            svc.transactionManager().commit();
            assertEquals(List.of("application before", "hibernate before", "hibernate after", "application after"), order);
            assertFalse(platform.canRegisterSynchronization(), "no transaction on the thread any more");
        }
    }

    /** A synchronization that records its callbacks. */
    private record Recording(String who, List<String> order) implements Synchronization {
        @Override
        public void beforeCompletion() {
            order.add(who + " before");
        }

        @Override
        public void afterCompletion(int status) {
            order.add(who + " after");
        }
    }
}
