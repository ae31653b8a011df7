package dev.pledge.xa.jms;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order in which a broker's branches were started, which its commits keep: a commit waits
 * until the branch started before it has committed or rolled back (at most {@code waitMillis}, then
 * it goes ahead with a warning). Shared by the working sessions of one endpoint, so a pipelined
 * bridge's target receives the batches in the order they were moved.
 */
final class CommitOrder {
    private static final Logger log = LoggerFactory.getLogger(CommitOrder.class);

    private final String resourceName;
    private final long waitMillis;
    private final ConcurrentHashMap<Xid, Turn> turns = new ConcurrentHashMap<>();
    private Turn lastStarted;

    CommitOrder(String resourceName, long waitMillis) {
        this.resourceName = resourceName;
        this.waitMillis = waitMillis;
    }

    /** Takes the next place for a branch just started. */
    synchronized void started(Xid xid) {
        Turn t = new Turn(lastStarted);
        lastStarted = t;
        turns.put(xid, t);
    }

    /** Waits until every branch started before {@code xid} has finished. */
    void awaitTurn(Xid xid) {
        Turn t = turns.get(xid);
        Turn previous = t != null ? t.previous : null;
        if (previous == null) {
            return;
        }
        try {
            if (!previous.done.await(waitMillis, TimeUnit.MILLISECONDS)) {
                log.warn("{}: the branch started before {} did not finish in {} ms; committing out of order", resourceName, xid, waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The branch committed, rolled back, or will see neither (read-only, refused): the next may go. */
    void finished(Xid xid) {
        Turn t = turns.remove(xid);
        if (t != null) {
            t.previous = null;
            t.done.countDown();
        }
    }

    /** Branches started and not finished (tests). */
    int inFlight() {
        return turns.size();
    }

    private static final class Turn {
        volatile Turn previous;
        final CountDownLatch done = new CountDownLatch(1);

        Turn(Turn previous) {
            this.previous = previous;
        }
    }
}
