package dev.pledge.xa.lock;

/**
 * How a transaction holds a key. Any number of transactions may hold a key {@link #SHARED}
 * at once; an {@link #EXCLUSIVE} holder is alone. Requests are granted in arrival order, so a
 * shared request that arrives behind a waiting exclusive one waits too (no writer starvation).
 */
public enum LockMode {
    /** Readers: compatible with other shared holders. */
    SHARED,
    /** Writers: compatible with nothing held by another transaction. */
    EXCLUSIVE;

    /** True when a holder in this mode also satisfies a request in {@code wanted}. */
    boolean covers(LockMode wanted) {
        return this == EXCLUSIVE || wanted == SHARED;
    }

    char code() {
        return this == EXCLUSIVE ? 'x' : 's';
    }

    static LockMode ofCode(char c) {
        return switch (c) {
            case 'x' -> EXCLUSIVE;
            case 's' -> SHARED;
            default -> throw new IllegalArgumentException("unknown lock mode code '" + c + "'");
        };
    }
}
