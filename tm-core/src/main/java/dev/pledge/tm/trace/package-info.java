/**
 * Tracing of transactions and recovery passes. Internal: the coordinator calls
 * {@link dev.pledge.tm.trace.TransactionTracer}; only this package refers to the OpenTelemetry API,
 * an optional dependency, and only when the service's builder was given an {@code OpenTelemetry}.
 */
package dev.pledge.tm.trace;
