package dev.pledge.xa.lock;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the keys of completed transactions, and keeps retrying in the background (backing
 * off from 100 ms to 5 s) when the backend fails, until the release succeeds: a release that
 * is only logged would leave a live ZooKeeper session's ephemeral node holding the key until
 * the session ends. The backend keeps the transaction's state until its release has succeeded,
 * so each retry knows what to delete.
 */
final class GuaranteedRelease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GuaranteedRelease.class);
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 5_000;

    private final String name;
    private final LockBackend backend;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<Xid> pending = ConcurrentHashMap.newKeySet();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder retried = new LongAdder();

    GuaranteedRelease(String name, LockBackend backend) {
        this.name = name;
        this.backend = backend;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pledge-lock-release-" + name);
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** Releases the xid's keys now, or, if the backend fails, in the background until it succeeds. */
    void release(Xid xid) {
        try {
            backend.release(xid);
        } catch (XAException | RuntimeException e) {
            failedAttempts.increment();
            if (pending.add(xid)) {
                log.warn("Lock service '{}': could not release the locks of {} ({}); retrying in the background, the keys stay held"
                        + " until then", name, Xids.encode(xid), e.getMessage());
                schedule(xid, FIRST_DELAY_MS);
            }
        }
    }

    private void schedule(Xid xid, long delayMs) {
        try {
            timer.schedule(() -> retry(xid, delayMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            log.warn("Lock service '{}' closed with the locks of {} not released", name, Xids.encode(xid));
        }
    }

    private void retry(Xid xid, long delayMs) {
        try {
            backend.release(xid);
            pending.remove(xid);
            retried.increment();
            log.info("Lock service '{}': the locks of {} are released (after a retry)", name, Xids.encode(xid));
        } catch (XAException | RuntimeException e) {
            failedAttempts.increment();
            log.debug("Lock service '{}': releasing the locks of {} failed again: {}", name, Xids.encode(xid), e.getMessage());
            schedule(xid, Math.min(delayMs * 2, MAX_DELAY_MS));
        }
    }

    LockMetrics metrics() {
        return new LockMetrics(pending.size(), failedAttempts.sum(), retried.sum());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (!pending.isEmpty()) {
            log.warn("Lock service '{}' closed with {} transaction(s) whose locks could not be released yet", name, pending.size());
        }
    }
}
