package dev.pledge.tm.trace;

import dev.pledge.tm.log.WriteStats;

/**
 * The step of the decision's forced write. <b>Internal</b> (see {@link TransactionTracer}). Its
 * {@link #stats()} is null unless the span records, so the untraced commit path asks the log for
 * no figures and allocates nothing.
 */
public interface LogWrite extends Step {
    /** Nothing is traced. */
    LogWrite NONE = Off.OFF;

    /** Where the log puts the write's bytes, group size and force time for the span, or null when nothing records them. */
    WriteStats stats();
}
