package dev.pledge.xa.jms;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource a bridge enlists for one working session of a broker.
 * <ul>
 * <li>It sends the transaction timeout to the broker only when it changes: the session is the
 * bridge's alone, and each call is a round trip.</li>
 * <li>With control sessions (a pipelined bridge) start and end go to the working session, which
 * receives or sends, while prepare, commit and rollback go to one of the endpoint's control
 * sessions, so a batch can commit while the next one is moved. Any session of a broker may complete
 * a branch another session has ended. The committing thread ends the branch; a start waits until
 * the branch before it on the same working session has ended (at most {@code waitMillis}).</li>
 * <li>With a {@link CommitOrder}, commits reach the broker in the order the branches started.</li>
 * </ul>
 */
final class BridgeXAResource implements XAResource {
    private final String resourceName;
    private final XAResource work;
    private final BlockingQueue<XAResource> control;
    private final CommitOrder order;
    private final long waitMillis;
    /** With control sessions: held from start until end (or rollback) of the branch on the working session. */
    private final Semaphore association = new Semaphore(1);
    private Xid associated;
    private int timeoutSent = -1;

    /** {@code control} null: every call goes to the working session; {@code order} null: commits in any order. */
    BridgeXAResource(String resourceName, XAResource work, BlockingQueue<XAResource> control, CommitOrder order, long waitMillis) {
        this.resourceName = resourceName;
        this.work = work;
        this.control = control;
        this.order = order;
        this.waitMillis = waitMillis;
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
        if (control != null && flags == TMNOFLAGS) {
            awaitAssociation();
            synchronized (this) {
                associated = xid;
            }
        }
        try {
            work.start(xid, flags);
        } catch (XAException | RuntimeException e) {
            dissociated(xid);
            throw e;
        }
        if (order != null && flags == TMNOFLAGS) {
            order.started(xid);
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        try {
            work.end(xid, flags);
            if (control != null) {
                forgetEndedBranch();
            }
        } finally {
            dissociated(xid);
        }
    }

    /**
     * Makes the working session let go of the branch it just ended, before a control session
     * completes it. An Artemis session remembers the last branch it ended and, when its connection
     * fails, rolls that branch back unless it is prepared, even if another session has committed it
     * since: the broker then fails writing the rollback ("Cannot find tx with id" in
     * appendRollbackRecord), and in the bridge's crash test source messages stayed undeliverable
     * for minutes. Only a commit or a rollback on the same session clears that memory; a commit of
     * a branch that does not exist ({@link #NO_SUCH_BRANCH}) clears it and changes nothing else.
     * Artemis refuses it with XAER_NOTA; any refusal will do (another broker may answer otherwise,
     * and has nothing to forget then), except XAER_RMFAIL: the session is gone. The price: a branch
     * ended but not yet prepared when the bridge dies is rolled back by the broker's transaction
     * timeout, not at once.
     */
    private void forgetEndedBranch() throws XAException {
        try {
            work.commit(NO_SUCH_BRANCH, false);
        } catch (XAException e) {
            if (e.errorCode != XAException.XAER_RMFAIL) {
                return; // refused, as it must be
            }
            throw e;
        }
        throw rmFail(resourceName + " committed a branch that was never started (" + NO_SUCH_BRANCH + ")");
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
        if (order != null) {
            order.awaitTurn(xid);
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
            dissociated(xid); // a branch rolled back without an end frees the working session too
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

    /** A branch no Pledge transaction ever starts: a format id of its own (Pledge's is "PLDG"). */
    static final Xid NO_SUCH_BRANCH = new NoSuchBranch();

    private record NoSuchBranch() implements Xid {
        @Override
        public int getFormatId() {
            return 0x504c4e42; // "PLNB"
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return "pledge-bridge-no-such-branch".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {0};
        }
    }

    private void finished(Xid xid) {
        if (order != null) {
            order.finished(xid);
        }
    }

    private void awaitAssociation() throws XAException {
        boolean acquired;
        try {
            acquired = association.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw rmFail("the previous branch on a working session of " + resourceName + " was not ended within " + waitMillis + " ms");
        }
    }

    private void dissociated(Xid xid) {
        synchronized (this) {
            if (associated == null || !associated.equals(xid)) {
                return;
            }
            associated = null;
        }
        association.release();
    }

    private XAResource borrow() throws XAException {
        if (control == null) {
            return work;
        }
        try {
            return control.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw rmFail("interrupted while waiting for a control session of " + resourceName);
        }
    }

    private void giveBack(XAResource r) {
        if (control != null) {
            control.add(r);
        }
    }

    private static XAException rmFail(String message) {
        XAException x = new XAException(message);
        x.errorCode = XAException.XAER_RMFAIL;
        return x;
    }
}
