package dev.pledge.xa.lock;

import dev.pledge.tm.PledgeXAResource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The lock service's branch in one transaction: enlisted on the first lock, it learns the Xid
 * from {@code start}, and turns prepare into "make my locks durable", commit into "keep them
 * durable until the whole transaction has its outcome" ({@link LockBackend#commitDecided}) and
 * rollback into "forget the prepared record, keep the keys" ({@link LockBackend#settle}). The
 * keys are released by {@link #afterCompletion()}, once every branch has had its phase two, or,
 * when a branch was left to recovery, once recovery has committed it. A one-phase commit (the
 * locks are the only branch) releases at once. Before its vote, the branch cancels requests of
 * its transaction still waiting on other threads. It votes {@code XA_RBROLLBACK} when a lock
 * was lost, and never read-only while it holds locks (a read-only vote would end it before the
 * other branches commit).
 */
final class LockBranch implements PledgeXAResource {
    private final LockService service;
    private final LockBackend backend;
    private final GuaranteedRelease releases;
    private final long age;
    private volatile Xid xid;
    private volatile Owner owner;
    private volatile boolean finished;

    LockBranch(LockService service, LockBackend backend, GuaranteedRelease releases, long age) {
        this.service = service;
        this.backend = backend;
        this.releases = releases;
        this.age = age;
    }

    Owner owner() {
        Owner o = owner;
        if (o == null) {
            throw new IllegalStateException("the lock branch was not started by the transaction manager");
        }
        return o;
    }

    Xid xid() {
        return xid;
    }

    boolean finished() {
        return finished;
    }

    @Override
    public String resourceName() {
        return service.name();
    }

    @Override
    public boolean joinable() {
        return false;
    }

    @Override
    public void start(Xid x, int flags) throws XAException {
        if (flags == TMNOFLAGS) {
            if (xid != null && !sameTransaction(x)) {
                throw LockBackend.xa(XAException.XAER_PROTO, "lock branch already started for " + xid);
            }
            xid = new Xids.SimpleXid(x.getFormatId(), x.getGlobalTransactionId(), x.getBranchQualifier());
            owner = Owner.of(x.getGlobalTransactionId(), age);
        } else if (xid == null || !sameTransaction(x)) {
            throw LockBackend.xa(XAException.XAER_NOTA, "unknown lock branch " + Xids.encode(x));
        }
    }

    private boolean sameTransaction(Xid x) {
        return xid.equals(new Xids.SimpleXid(x.getFormatId(), x.getGlobalTransactionId(), x.getBranchQualifier()));
    }

    @Override
    public void end(Xid x, int flags) {
        // locks are not tied to a thread association
    }

    @Override
    public int prepare(Xid x) throws XAException {
        try {
            int vote = backend.prepare(owner(), x);
            if (vote == XA_RDONLY) {
                finished = true;
            }
            return vote;
        } catch (XAException e) {
            if (e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND) {
                finished = true; // a no vote: the transaction manager will not call rollback on this branch
            }
            throw e;
        }
    }

    @Override
    public void commit(Xid x, boolean onePhase) throws XAException {
        finished = true;
        if (onePhase) {
            backend.commitOnePhase(owner(), x); // the only branch: nothing else is left to commit
        } else if (!backend.commitDecided(x)) {
            // the keys stay in the prepared record until afterCompletion, or until recovery completes the transaction
            throw LockBackend.xa(XAException.XAER_NOTA, "no locks known for " + Xids.encode(x));
        }
    }

    @Override
    public void rollback(Xid x) throws XAException {
        finished = true;
        backend.settle(x);
    }

    /**
     * The whole transaction has completed (every branch's phase two is over): releases the keys,
     * retrying in the background until the backend has done it.
     */
    void afterCompletion() {
        finished = true;
        Xid x = xid;
        if (x == null) {
            return; // never started: no locks were taken
        }
        if (service.heldUntilRecoveryCompletes(x)) {
            return; // other branches were left to recovery: released when it has committed them
        }
        releases.release(x);
    }

    @Override
    public void forget(Xid x) {
        // no heuristic decisions are ever taken
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return service.recoveryResource().recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }

    @Override
    public String toString() {
        return service.name() + "[" + (xid == null ? "not started" : Xids.encode(xid)) + "]";
    }
}
