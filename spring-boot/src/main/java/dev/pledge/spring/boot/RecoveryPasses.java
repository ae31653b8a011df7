package dev.pledge.spring.boot;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * The recovery passes of the application's service, and the report of the last one (for the
 * health indicator). One pass runs once the application is ready, when every data source and
 * connection factory bean has registered itself; then, for the service the starter builds, one
 * every {@code pledge.recovery-interval} (the starter builds the service without background
 * passes of its own, so that their reports are kept here). An application's own service keeps its
 * own background passes and only gets the pass at start-up from here.
 */
final class RecoveryPasses implements ApplicationListener<ApplicationReadyEvent>, SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RecoveryPasses.class);

    private final TransactionService service;
    private final Duration interval;
    private final AtomicReference<Pass> last = new AtomicReference<>();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean running;

    RecoveryPasses(TransactionService service, Duration interval) {
        this.service = service;
        this.interval = interval;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        runPass();
        if (!interval.isZero() && running && scheduler == null) {
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pledge-recovery-" + service.nodeName());
                t.setDaemon(true);
                return t;
            });
            s.scheduleWithFixedDelay(this::runPass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            scheduler = s;
        }
    }

    private void runPass() {
        try {
            RecoveryReport report = service.recovery().runPass();
            last.set(new Pass(Instant.now(), report, null));
        } catch (RuntimeException e) {
            log.error("Recovery pass failed", e);
            last.set(new Pass(Instant.now(), null, e.toString()));
        }
    }

    /** The last pass, or null before the first. */
    Pass last() {
        return last.get();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops just before the drain, so no pass runs while the service closes. */
    @Override
    public int getPhase() {
        return DrainOnShutdown.PHASE + 1;
    }

    /** A pass: when it ended, and its report or why it failed. */
    record Pass(Instant at, RecoveryReport report, String failure) {
        @Override
        public String toString() {
            return at + ": " + (report != null ? report.toString() : "failed: " + failure);
        }
    }
}
