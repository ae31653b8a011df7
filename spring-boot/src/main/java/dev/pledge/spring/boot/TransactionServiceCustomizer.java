package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;

/**
 * Changes the starter's {@link TransactionService.Builder} after the {@code pledge.*} properties are applied and
 * before the service is built: for what has no property (e.g. {@code renamedFrom}, {@code recoveryResource},
 * {@code drainTimeout}). Every bean of this type is applied, in {@code @Order}; the starter's own one hands
 * the application's OpenTelemetry to the builder (see {@code pledge.tracing.enabled}).
 */
@FunctionalInterface
public interface TransactionServiceCustomizer {
    void customize(TransactionService.Builder builder);
}
