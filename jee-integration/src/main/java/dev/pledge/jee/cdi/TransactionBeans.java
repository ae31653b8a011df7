package dev.pledge.jee.cdi;

import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code @TransactionScoped} instances of one transaction; destroys them (in reverse order) after it completes. */
final class TransactionBeans implements Synchronization {
    private static final Logger log = LoggerFactory.getLogger(TransactionBeans.class);

    private record Instance<T>(Contextual<T> contextual, T value, CreationalContext<T> creational) {
        void destroy() {
            contextual.destroy(value, creational);
        }
    }

    private final Transaction transaction;
    private final Runnable destroyed;
    private final Map<Contextual<?>, Instance<?>> instances = new LinkedHashMap<>();
    private boolean completed;

    TransactionBeans(Transaction transaction, Runnable destroyed) {
        this.transaction = transaction;
        this.destroyed = destroyed;
    }

    @SuppressWarnings("unchecked")
    synchronized <T> T get(Contextual<T> contextual, CreationalContext<T> creational) {
        Instance<T> existing = (Instance<T>) instances.get(contextual);
        if (existing != null || creational == null) {
            return existing == null ? null : existing.value();
        }
        // creating may look up other beans of this scope: this monitor is reentrant, and the map is written after
        Instance<T> created = new Instance<>(contextual, contextual.create(creational), creational);
        instances.put(contextual, created);
        return created.value();
    }

    synchronized void destroy(Contextual<?> contextual) {
        Instance<?> instance = instances.remove(contextual);
        if (instance != null) {
            instance.destroy();
        }
    }

    @Override
    public void beforeCompletion() {
    }

    @Override
    public void afterCompletion(int status) {
        List<Instance<?>> toDestroy;
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
            toDestroy = new ArrayList<>(instances.values());
            instances.clear();
        }
        for (int i = toDestroy.size() - 1; i >= 0; i--) {
            try {
                toDestroy.get(i).destroy();
            } catch (RuntimeException e) {
                log.warn("Destroying a @TransactionScoped instance of {} failed", transaction, e);
            }
        }
        destroyed.run();
    }
}
