package dev.pledge.xa.lock;

import dev.pledge.tm.PledgeXAResource;
import java.util.function.Predicate;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * What recovery sees of a lock service: the prepared branches, and commit or rollback by Xid.
 * Rollback releases the branch's locks at once; commit keeps them until recovery has completed
 * the whole transaction (other branches may still be prepared), when the transaction manager
 * tells of it, and otherwise releases at once.
 */
final class LockRecoveryResource implements PledgeXAResource {
    private final String name;
    private final LockBackend backend;
    /** Takes a committed branch's keys to hold until recovery has completed its transaction; false if it cannot. */
    private final Predicate<Xid> holdUntilCompleted;

    LockRecoveryResource(String name, LockBackend backend, Predicate<Xid> holdUntilCompleted) {
        this.name = name;
        this.backend = backend;
        this.holdUntilCompleted = holdUntilCompleted;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return false;
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        if ((flag & TMSTARTRSCAN) == 0) {
            return new Xid[0]; // the whole list is answered at the start of a scan
        }
        return backend.prepared().toArray(new Xid[0]);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        if (holdUntilCompleted.test(xid)) {
            // other branches of the transaction may still be prepared: the keys go when recovery completes it
            if (!backend.commitDecided(xid)) {
                throw LockBackend.xa(XAException.XAER_NOTA, "no prepared locks for " + Xids.encode(xid));
            }
            return;
        }
        if (!backend.release(xid)) {
            throw LockBackend.xa(XAException.XAER_NOTA, "no prepared locks for " + Xids.encode(xid));
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        if (!backend.release(xid)) {
            throw LockBackend.xa(XAException.XAER_NOTA, "no prepared locks for " + Xids.encode(xid));
        }
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        throw LockBackend.xa(XAException.XAER_PROTO, "the recovery view of lock service '" + name + "' cannot start branches");
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        throw LockBackend.xa(XAException.XAER_PROTO, "the recovery view of lock service '" + name + "' cannot prepare branches");
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
        return name + "(recovery)";
    }
}
