package dev.pledge.xa.jms;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XAResource a bridge enlists for one broker.
 * <ul>
 * <li>It sends the transaction timeout to the broker only when it changes: the session is the
 * bridge's alone, and each call is a round trip.</li>
 * <li>With control sessions (a pipelined bridge) start and end go to the session that receives or
 * sends, while prepare, commit and rollback go to a control session of the same connection, so a
 * batch can commit while the next one is moved on the working session. Any session of a broker may
 * complete a branch another session has ended.</li>
 * <li>When {@code ordered}, commits reach the broker in the order the branches were started: a
 * commit waits until the branch started before it has committed or rolled back (at most
 * {@code orderWait}), so the target queue receives pipelined batches in source order.</li>
 * </ul>
 */
final class BridgeXAResource implements XAResource {
    private static final Logger log = LoggerFactory.getLogger(BridgeXAResource.class);

    private final String resourceName;
    private final XAResource work;
    private final BlockingQueue<XAResource> control;
    private final boolean ordered;
    private final long orderWaitMillis;
    private final ConcurrentHashMap<Xid, Turn> turns = new ConcurrentHashMap<>();
    private Turn lastStarted;
    private int timeoutSent = -1;

    BridgeXAResource(String resourceName, XAResource work, List<XAResource> control, boolean ordered, long orderWaitMillis) {
        this.resourceName = resourceName;
        this.work = work;
        this.control = control.isEmpty() ? null : new ArrayBlockingQueue<>(control.size(), false, control);
        this.ordered = ordered;
        this.orderWaitMillis = orderWaitMillis;
    }

    /** Branches started but not yet committed or rolled back (tests). */
    int branchesInFlight() {
        return turns.size();
    }

    @Override
    public synchronized boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds == timeoutSent) {
            return true;
        }
        boolean taken = work.setTransactionTimeout(seconds);
        timeoutSent = seconds;
        return taken;
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return work.getTransactionTimeout();
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        work.start(xid, flags);
        if (ordered && flags == TMNOFLAGS) {
            synchronized (this) {
                Turn t = new Turn(lastStarted);
                lastStarted = t;
                turns.put(xid, t);
            }
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        work.end(xid, flags);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        boolean voted = false;
        try {
            XAResource r = borrow();
            try {
                int vote = r.prepare(xid);
                voted = vote == XA_OK;
                return vote;
            } finally {
                giveBack(r);
            }
        } finally {
            if (!voted) {
                finished(xid); // read-only or voted no: no commit or rollback will follow
            }
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        Turn t = turns.get(xid);
        if (t != null) {
            t.awaitPrevious();
        }
        try {
            XAResource r = borrow();
            try {
                r.commit(xid, onePhase);
            } finally {
                giveBack(r);
            }
        } finally {
            finished(xid);
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        try {
            XAResource r = borrow();
            try {
                r.rollback(xid);
            } finally {
                giveBack(r);
            }
        } finally {
            finished(xid);
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        XAResource r = borrow();
        try {
            r.forget(xid);
        } finally {
            giveBack(r);
        }
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return work.recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return work.isSameRM(other instanceof BridgeXAResource b ? b.work : other);
    }

    private void finished(Xid xid) {
        Turn t = turns.remove(xid);
        if (t != null) {
            t.finish();
        }
    }

    private XAResource borrow() throws XAException {
        if (control == null) {
            return work;
        }
        try {
            return control.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            XAException x = new XAException("interrupted while waiting for a control session of " + resourceName);
            x.errorCode = XAException.XAER_RMFAIL;
            throw x;
        }
    }

    private void giveBack(XAResource r) {
        if (control != null) {
            control.add(r);
        }
    }

    /** One started branch's place in the commit order. */
    private final class Turn {
        private volatile Turn previous;
        private final CountDownLatch done = new CountDownLatch(1);

        Turn(Turn previous) {
            this.previous = previous;
        }

        void awaitPrevious() {
            Turn p = previous;
            if (p == null) {
                return;
            }
            try {
                if (!p.done.await(orderWaitMillis, TimeUnit.MILLISECONDS)) {
                    log.warn("{}: the branch started before this one did not finish in {} ms; committing out of order", resourceName,
                            orderWaitMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void finish() {
            previous = null;
            done.countDown();
        }
    }
}
