package dev.pledge.xa.lock;

/**
 * This transaction was chosen as the victim of a deadlock found in the wait-for graph (the
 * youngest transaction of the cycle). It has been marked rollback-only; roll it back so the
 * others can go on, and retry the work in a new transaction if it makes sense.
 */
public final class LockDeadlockException extends LockException {
    private static final long serialVersionUID = 1L;

    private final String cycle;

    LockDeadlockException(String key, LockMode mode, String cycle) {
        super("Deadlock: the " + mode + " lock request on '" + key + "' closes the cycle " + cycle
                + "; this transaction is the victim and is marked rollback-only");
        this.cycle = cycle;
    }

    /** The cycle, as {@code tx1 -> tx2 -> tx1}. */
    public String cycle() {
        return cycle;
    }
}
