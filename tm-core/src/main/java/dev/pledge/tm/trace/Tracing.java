package dev.pledge.tm.trace;

import io.opentelemetry.api.OpenTelemetry;

/** Makes tracers. <b>Internal</b> (see {@link TransactionTracer}); the only entry into OpenTelemetry. */
public final class Tracing {
    private Tracing() {
    }

    /** Spans through {@code openTelemetry}'s tracer {@code dev.pledge.tm}, each with {@code pledge.node} = {@code node}. */
    public static TransactionTracer openTelemetry(OpenTelemetry openTelemetry, String node) {
        return new OtelTracer(openTelemetry.getTracer("dev.pledge.tm"), node);
    }
}
