package dev.pledge.tm.trace;

/** One step of a {@link Trace} (a child span). <b>Internal</b> (see {@link TransactionTracer}). */
public interface Step {
    /** Nothing is traced. */
    Step NONE = Off.OFF;

    /** {@code xaCode} of {@link #end}: no XA error code (0 is {@code XA_OK}, never thrown). */
    int NO_CODE = 0;

    /** Ends the step with {@code outcome} ({@code pledge.outcome}) and, on failure, the XA error code ({@code pledge.xa_code}). */
    void end(String outcome, int xaCode);
}
