package dev.pledge.tm.log;

import java.io.IOException;

/**
 * Thrown by {@link Journal#logCommit} when the decision's record was handed to the operating system
 * but the log failed before it was known durable (a write cut short, a force that failed): the
 * record may reach the disk or not. The coordinator must neither roll back nor commit on it; the
 * log has stopped, and the replay after a restart decides. A plain {@link IOException} from
 * {@code logCommit} means the record was not written, so rolling back is safe. The database log
 * throws it too, when it could not learn whether the commit that held the decision happened.
 */
public final class JournalOutcomeUnknownException extends IOException {
    private static final long serialVersionUID = 1L;

    public JournalOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
