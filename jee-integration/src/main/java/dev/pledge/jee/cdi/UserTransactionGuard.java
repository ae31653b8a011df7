package dev.pledge.jee.cdi;

import jakarta.transaction.Transactional.TxType;

/**
 * Which {@code @Transactional} method the calling thread is in: inside one whose TxType is neither
 * NOT_SUPPORTED nor NEVER, the interceptor owns the transaction and {@code UserTransaction} is refused.
 */
final class UserTransactionGuard {
    private final ThreadLocal<TxType> current = new ThreadLocal<>();

    /** Enters a method of {@code type}; returns what to restore when it returns. */
    TxType enter(TxType type) {
        TxType outer = current.get();
        current.set(type);
        return outer;
    }

    void leave(TxType outer) {
        if (outer == null) {
            current.remove();
        } else {
            current.set(outer);
        }
    }

    /** Why UserTransaction is refused on this thread now, or null. */
    String refusal() {
        TxType type = current.get();
        if (type == null || type == TxType.NOT_SUPPORTED || type == TxType.NEVER) {
            return null;
        }
        return "inside a @Transactional(" + type + ") method: the interceptor owns its transaction;"
                + " use @Transactional(NOT_SUPPORTED) or NEVER on a method that demarcates transactions itself";
    }
}
