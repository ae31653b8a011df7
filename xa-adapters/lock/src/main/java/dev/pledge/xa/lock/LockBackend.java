package dev.pledge.xa.lock;

import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/**
 * Where the lock table lives. Owners are transactions (by gtrid); a branch's Xid names the
 * owner's locks once they are prepared. Commit and rollback both mean the same here: release;
 * in a live transaction in two steps, {@link #settle} in phase two and {@link #release} once
 * every branch has completed.
 */
interface LockBackend extends AutoCloseable {

    /** Grants {@code key} in {@code mode} to {@code owner}, waiting at most {@code timeoutNanos}; re-entrant per owner. */
    LockGrant acquire(Owner owner, String key, LockMode mode, long timeoutNanos);

    /**
     * Makes the owner's locks outlive this process under {@code xid} (as far as the backend can).
     * Returns {@code XA_OK}, or {@code XA_RDONLY} when the owner holds nothing (then it is
     * forgotten). Throws {@code XA_RBROLLBACK} when a lock was lost, after releasing the rest.
     */
    int prepare(Owner owner, Xid xid) throws XAException;

    /** Releases the owner's locks in one phase; throws {@code XA_RBROLLBACK} if one had been lost meanwhile. */
    void commitOnePhase(Owner owner, Xid xid) throws XAException;

    /**
     * The xid's prepared branch is committed, and other branches of its transaction may not be
     * yet: keeps its prepared record (durable: a crash leaves the keys to recovery) and its keys
     * until {@link #release}. Returns false when nothing is known of the branch.
     */
    boolean commitDecided(Xid xid) throws XAException;

    /**
     * The xid's prepared branch is rolled back (or committed where nothing else can be in doubt):
     * forgets its prepared record durably, so that neither {@link #prepared()} nor a crash brings
     * the branch back, but keeps its keys held until {@link #release}. After a crash the keys
     * are free (the JVM's memory, or the ZooKeeper session, is gone). Returns false when nothing
     * was known of the branch.
     */
    boolean settle(Xid xid) throws XAException;

    /**
     * Releases everything of the xid's transaction: held and prepared locks, and cancels its
     * waiting requests. Returns false when nothing was known of it.
     */
    boolean release(Xid xid) throws XAException;

    /** Xids whose locks are prepared and not yet released. */
    List<Xid> prepared() throws XAException;

    @Override
    void close();

    static XAException xa(int code, String message) {
        XAException e = new XAException(message);
        e.errorCode = code;
        return e;
    }

    static XAException xa(int code, String message, Throwable cause) {
        XAException e = xa(code, message);
        e.initCause(cause);
        return e;
    }
}
