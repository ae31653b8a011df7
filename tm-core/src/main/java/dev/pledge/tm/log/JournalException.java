package dev.pledge.tm.log;

/** The recovery log cannot be used; the message names the directory, file or table and what to do. */
public class JournalException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
