package dev.pledge.spring.boot;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Runs one recovery pass once the application is ready, when every data source and connection
 * factory bean has registered itself, and keeps its report for the health indicator.
 */
final class StartupRecovery implements ApplicationListener<ApplicationReadyEvent> {
    private final TransactionService service;
    private final AtomicReference<Pass> last = new AtomicReference<>();

    StartupRecovery(TransactionService service) {
        this.service = service;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        RecoveryReport report = service.recovery().runPass();
        last.set(new Pass(Instant.now(), report));
    }

    /** The pass run at start-up, or null before it ran. */
    Pass last() {
        return last.get();
    }

    record Pass(Instant at, RecoveryReport report) {
    }
}
