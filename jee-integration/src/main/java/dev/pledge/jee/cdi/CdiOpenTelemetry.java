package dev.pledge.jee.cdi;

import dev.pledge.tm.TransactionService;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.AmbiguousResolutionException;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.util.Set;

/**
 * Hands the application's {@code OpenTelemetry} bean (MicroProfile Telemetry's, or one the application
 * produces) to the service's builder, so that every transaction is traced through it. Loaded only when the
 * OpenTelemetry API is on the class path.
 */
final class CdiOpenTelemetry {
    private CdiOpenTelemetry() {
    }

    /** Uses the application's {@code OpenTelemetry} bean, if it has one; several without one chosen is a deployment error. */
    static void use(TransactionService.Builder builder, BeanManager beans) {
        Set<Bean<?>> found = beans.getBeans(OpenTelemetry.class);
        if (found.isEmpty()) {
            return;
        }
        Bean<?> bean;
        try {
            bean = beans.resolve(found);
        } catch (AmbiguousResolutionException e) {
            throw new IllegalStateException("Pledge traces through the application's OpenTelemetry bean, but there are " + found.size()
                    + " and none is chosen (" + found + "): make one an @Alternative with a @Priority, or set pledge.tracing=false", e);
        }
        builder.openTelemetry((OpenTelemetry) beans.getReference(bean, OpenTelemetry.class, beans.createCreationalContext(bean)));
    }
}
