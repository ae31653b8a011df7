package dev.pledge.tm.log;

/** The recovery log cannot be used; the message names the directory or file and what to do. */
public final class JournalException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
