package dev.pledge.tm.trace;

import dev.pledge.tm.log.Gtrid;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/** Spans {@code pledge.transaction} (child of the span current at begin) and {@code pledge.recovery}. */
final class OtelTracer implements TransactionTracer {
    private final Tracer tracer;
    private final String node;

    OtelTracer(Tracer tracer, String node) {
        this.tracer = tracer;
        this.node = node;
    }

    @Override
    public Trace transaction(Gtrid gtrid) {
        Context parent = Context.current();
        Span span = tracer.spanBuilder("pledge.transaction").setParent(parent).startSpan();
        if (!span.isRecording()) {
            return Off.OFF; // not sampled: its children would not be either, so none is made (nor its attributes, nor the gtrid's string)
        }
        span.setAttribute(Attributes.NODE, node);
        span.setAttribute(Attributes.GTRID, gtrid.toString());
        return new OtelTrace(tracer, span, parent.with(span));
    }

    @Override
    public Trace recoveryPass() {
        Context parent = Context.current();
        Span span = tracer.spanBuilder("pledge.recovery").setParent(parent).setAttribute(Attributes.NODE, node).startSpan();
        return new OtelTrace(tracer, span, parent.with(span));
    }
}
