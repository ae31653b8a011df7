package dev.pledge.xa.lock;

/**
 * A lock could not be granted. The subclasses say why: {@link LockTimeoutException} and
 * {@link LockDeadlockException}; this class itself reports backend failures (ZooKeeper
 * unreachable) and requests cancelled because their transaction ended while they waited.
 */
public class LockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LockException(String message) {
        super(message);
    }

    public LockException(String message, Throwable cause) {
        super(message, cause);
    }
}
