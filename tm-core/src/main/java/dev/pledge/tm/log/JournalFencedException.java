package dev.pledge.tm.log;

/**
 * The log refused a write because another service has taken over this node name: the node's epoch
 * is no longer the one this service started with. Nothing of the refused write is in the log, so
 * the coordinator may roll back the transaction whose decision it carried; every later write is
 * refused the same way.
 */
public final class JournalFencedException extends JournalException {
    private static final long serialVersionUID = 1L;
    private final long ownEpoch;
    private final long currentEpoch;

    public JournalFencedException(String message, long ownEpoch, long currentEpoch) {
        super(message);
        this.ownEpoch = ownEpoch;
        this.currentEpoch = currentEpoch;
    }

    /** The epoch this service started with. */
    public long ownEpoch() {
        return ownEpoch;
    }

    /** The epoch the log holds for the node now (-1 if its row is gone). */
    public long currentEpoch() {
        return currentEpoch;
    }
}
