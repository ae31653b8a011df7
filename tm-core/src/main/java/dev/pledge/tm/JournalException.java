package dev.pledge.tm;

/** The recovery log cannot be used; the message names the directory or file and what to do. */
final class JournalException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    JournalException(String message) {
        super(message);
    }

    JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
