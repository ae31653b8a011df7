package dev.pledge.tm.trace;

import dev.pledge.tm.log.WriteStats;
import io.opentelemetry.api.trace.Span;

/** The decision's log-write span: on its end, the figures the log filled in (those it does not know are left out). */
final class OtelLogWrite implements LogWrite {
    private final Span span;
    private final WriteStats stats;

    OtelLogWrite(Span span) {
        this.span = span;
        this.stats = span.isRecording() ? new WriteStats() : null;
    }

    @Override
    public WriteStats stats() {
        return stats;
    }

    @Override
    public void end(String outcome, int xaCode) {
        if (stats != null) {
            if (stats.bytes() != WriteStats.UNKNOWN) {
                span.setAttribute(Attributes.LOG_BYTES, stats.bytes());
            }
            if (stats.groupSize() != WriteStats.UNKNOWN) {
                span.setAttribute(Attributes.LOG_GROUP_SIZE, stats.groupSize());
            }
            if (stats.forceNanos() != WriteStats.UNKNOWN) {
                span.setAttribute(Attributes.LOG_FORCE_US, stats.forceNanos() / 1_000);
            }
        }
        OtelStep.end(span, outcome, xaCode);
    }
}
