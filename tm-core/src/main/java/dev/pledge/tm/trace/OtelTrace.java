package dev.pledge.tm.trace;

import dev.pledge.tm.log.Gtrid;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/** One transaction's or recovery pass's span; its steps are child spans with an explicit parent (phases may run on other threads). */
final class OtelTrace implements Trace {
    private final Tracer tracer;
    private final Span span;
    private final Context context;

    OtelTrace(Tracer tracer, Span span, Context context) {
        this.tracer = tracer;
        this.span = span;
        this.context = context;
    }

    @Override
    public Step beforeCompletion() {
        return new OtelStep(child("pledge.before_completion").startSpan());
    }

    @Override
    public Step branch(String phase, String resource, Gtrid gtrid) {
        SpanBuilder b = child(spanName(phase)).setAttribute(Attributes.RESOURCE, resource); // the name says the phase
        if (gtrid != null) {
            b.setAttribute(Attributes.GTRID, gtrid.toString());
        }
        return new OtelStep(b.startSpan());
    }

    @Override
    public LogWrite logWrite(int branches) {
        return new OtelLogWrite(child("pledge.log.write").setAttribute(Attributes.BRANCHES, (long) branches).startSpan());
    }

    /** {@code pledge.<phase>}, without building the string for every span. */
    private static String spanName(String phase) {
        return switch (phase) {
            case PREPARE -> "pledge.prepare";
            case COMMIT -> "pledge.commit";
            case COMMIT_ONE_PHASE -> "pledge.commit_one_phase";
            case ROLLBACK -> "pledge.rollback";
            default -> "pledge." + phase;
        };
    }

    private SpanBuilder child(String name) {
        return tracer.spanBuilder(name).setParent(context);
    }

    @Override
    public void end(String outcome, boolean error) {
        span.setAttribute(Attributes.OUTCOME, outcome);
        if (error) {
            span.setStatus(StatusCode.ERROR, outcome);
        }
        span.end();
    }
}
