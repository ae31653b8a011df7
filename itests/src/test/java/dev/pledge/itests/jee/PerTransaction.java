package dev.pledge.itests.jee;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionScoped;
import java.io.Serial;
import java.io.Serializable;
import java.util.UUID;

/** A {@code @TransactionScoped} bean with an identity; reports its {@code @PreDestroy} to {@link ScopeEvents}. */
@TransactionScoped
public class PerTransaction implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Inject
    ScopeEvents events;
    private final String id = UUID.randomUUID().toString();

    public String id() {
        return id;
    }

    @PreDestroy
    void destroyed() {
        events.preDestroy(id);
    }
}
