package dev.pledge.tm.log;

/**
 * A decision was sent to the log but whether it is there is unknown, and the log could not find
 * out (it was closed while it tried). The decision may be in the log: the coordinator must leave
 * the transaction's prepared branches to recovery, never roll them back.
 */
public final class JournalOutcomeUnknownException extends JournalException {
    private static final long serialVersionUID = 1L;

    public JournalOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
