package dev.pledge.itests.jee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionScoped;
import java.util.ArrayList;
import java.util.List;

/** What happened to the {@code @TransactionScoped} context, in order: context events and {@code @PreDestroy} calls. */
@ApplicationScoped
public class ScopeEvents {
    @Inject
    TransactionManager tm;
    private final List<String> log = new ArrayList<>();

    void initialized(@Observes @Initialized(TransactionScoped.class) Transaction tx) {
        add("initialized " + tx.hashCode());
    }

    void destroyed(@Observes @Destroyed(TransactionScoped.class) Transaction tx) {
        add("destroyed " + tx.hashCode());
    }

    /** Records the destroyed instance with the status of the thread's transaction at that moment. */
    void preDestroy(String id) {
        try {
            add("preDestroy " + id + " status " + tm.getStatus());
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void add(String event) {
        log.add(event);
    }

    public synchronized List<String> takeAll() {
        List<String> all = List.copyOf(log);
        log.clear();
        return all;
    }
}
