package dev.pledge.tm.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** A child span; an XA error code marks it as an error. */
final class OtelStep implements Step {
    private final Span span;

    OtelStep(Span span) {
        this.span = span;
    }

    @Override
    public void end(String outcome, int xaCode) {
        end(span, outcome, xaCode);
    }

    /** Ends {@code span} as a step: its outcome and, for an XA error code, the code and an error status. */
    static void end(Span span, String outcome, int xaCode) {
        span.setAttribute(Attributes.OUTCOME, outcome);
        if (xaCode != NO_CODE) {
            span.setAttribute(Attributes.XA_CODE, (long) xaCode);
            span.setStatus(StatusCode.ERROR, outcome);
        }
        span.end();
    }
}
