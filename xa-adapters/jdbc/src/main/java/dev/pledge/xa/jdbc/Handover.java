package dev.pledge.xa.jdbc;

import java.util.function.Supplier;

/**
 * Hands the user's (XA)DataSource instance to the object Agroal instantiates reflectively by class
 * name. Agroal only accepts a class with a no-argument constructor, so the instance travels on the
 * building thread for the duration of {@code AgroalDataSource.from(...)}, and nowhere else.
 */
final class Handover {
    private static final ThreadLocal<Object> IN_FLIGHT = new ThreadLocal<>();

    private Handover() {
    }

    /** Runs {@code action} with {@code delegate} available to {@link #take(Class)} on this thread. */
    static <T> T with(Object delegate, Supplier<T> action) {
        IN_FLIGHT.set(delegate);
        try {
            return action.get();
        } finally {
            IN_FLIGHT.remove();
        }
    }

    static <T> T take(Class<T> type) {
        Object o = IN_FLIGHT.get();
        if (!type.isInstance(o)) {
            throw new IllegalStateException("Pledge's pool data sources are created by TransactionalDataSource.builder() only (nothing handed over as " + type.getSimpleName() + ")");
        }
        return type.cast(o);
    }
}
