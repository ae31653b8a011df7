package dev.pledge.tm.log.db;

import dev.pledge.tm.log.JournalException;

/**
 * A decision batch's COMMIT had no known outcome and the log was closed before a fresh connection
 * could tell whether it landed: the decision may be in the log, so its branches must stay prepared
 * for recovery rather than be rolled back.
 */
final class UnknownOutcomeException extends JournalException {
    private static final long serialVersionUID = 1L;

    UnknownOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
