package dev.pledge.tm;

/**
 * Told when a committed transaction still has branches in doubt, and when they are all done.
 * <p>
 * A transaction's commit can return (status {@code STATUS_COMMITTED}, synchronizations told)
 * while a branch whose phase-two commit failed ({@code XAER_RMFAIL}, say) is left to recovery:
 * its writes are decided but not yet visible. A resource that must not let go before every
 * branch has its outcome (a lock service: the next holder must see the last one's writes)
 * registers a listener with the transaction manager, if it implements {@link InDoubtListeners}.
 * <p>
 * {@link #leftToRecovery} is called on the committing thread after phase two and before
 * {@code afterCompletion}; {@link #completedByRecovery} is called by a recovery pass once the
 * transaction's commit record is logged completed (every branch committed). Also after a
 * restart, recovery completes decisions of an earlier process, so {@code completedByRecovery} can
 * come for a transaction this process never saw. Listeners must be quick and must not throw
 * (what they throw is logged and ignored).
 */
public interface InDoubtListener {

    /** The transaction {@code gtrid} committed, but some of its branches were left to recovery. */
    void leftToRecovery(byte[] gtrid);

    /** Recovery has committed every branch of the transaction {@code gtrid} still in doubt; its outcome is complete. */
    void completedByRecovery(byte[] gtrid);
}
