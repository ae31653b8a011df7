package dev.pledge.spring.boot;

import dev.pledge.tm.DrainResult;
import dev.pledge.tm.TransactionService;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains at shutdown: stops in a late phase (after Boot's web server and the JMS listener
 * containers stopped taking work) and waits, up to {@code pledge.shutdown-timeout}, for the
 * transactions still running to finish before Spring destroys the data sources, the connection
 * factories and the service; then drains the service ({@link TransactionService#drain}) within what
 * is left of that time: no new transaction, recovery passes until nothing of this node is in doubt,
 * and with a database log the lease ends (the node row goes when nothing is left, so no peer has
 * anything to take over). Whatever is still running or in doubt then is left to recovery.
 */
final class DrainOnShutdown implements SmartLifecycle {
    /** Below every phase Spring and Boot use for their own work-taking components. */
    static final int PHASE = Integer.MIN_VALUE / 2;
    private static final Logger log = LoggerFactory.getLogger(DrainOnShutdown.class);

    private final TransactionService service;
    private final Duration timeout;
    private volatile boolean running;

    DrainOnShutdown(TransactionService service, Duration timeout) {
        this.service = service;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            int active = service.metrics().getActiveTransactions();
            if (active > 0) {
                log.info("Waiting up to {} for {} transaction(s) of '{}' to finish", timeout, active, service.nodeName());
            }
            while (active > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
                active = service.metrics().getActiveTransactions();
            }
            if (active > 0) {
                log.warn("{} transaction(s) of '{}' still running after {}; closing anyway, recovery finishes them", active,
                        service.nodeName(), timeout);
            }
            // begins nothing more, finishes what is in doubt while the data sources are still open, and (database log)
            // ends the lease: deletes the node row when nothing is left, else hands the rest to a peer at once
            DrainResult left = service.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (!left.isClean()) {
                log.warn("Drained '{}' with work left ({}); {}", service.nodeName(), left,
                        left.handedOver() ? "a peer takes it over now" : "recovery finishes it at the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
