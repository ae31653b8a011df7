package dev.pledge.xa.lock;

import java.time.Duration;

/**
 * A lock request waited as long as it was allowed to. The transaction is left as it was: the
 * caller may retry, give up on this key, or roll back.
 */
public final class LockTimeoutException extends LockException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final LockMode mode;
    private final Duration waited;
    private final String holders;

    LockTimeoutException(String key, LockMode mode, Duration waited, String holders) {
        super("Timed out after " + waited.toMillis() + " ms waiting for a " + mode + " lock on '" + key + "'; held or queued before it by: "
                + holders);
        this.key = key;
        this.mode = mode;
        this.waited = waited;
        this.holders = holders;
    }

    /** The key asked for. */
    public String key() {
        return key;
    }

    /** The mode asked for. */
    public LockMode mode() {
        return mode;
    }

    /** How long the request waited. */
    public Duration waited() {
        return waited;
    }

    /** The transactions (and their modes) that stood in the way when the wait ended. */
    public String holders() {
        return holders;
    }
}
