package dev.pledge.tm.trace;

import dev.pledge.tm.log.Gtrid;

/**
 * Where the coordinator reports the steps of transactions and recovery passes for tracing.
 * <b>Internal</b>: between the coordinator ({@code dev.pledge.tm}) and its tracing back-ends; not an
 * API. {@link #OFF} does nothing and allocates nothing; {@link Tracing#openTelemetry} makes the
 * OpenTelemetry one. Only this package refers to OpenTelemetry, so the coordinator loads without it.
 */
public interface TransactionTracer {
    /** Tracing off: every call returns {@link Trace#NONE}. */
    TransactionTracer OFF = Off.OFF;

    /** The trace of a transaction that begins now, on the calling thread (its span's parent is the one current here). */
    Trace transaction(Gtrid gtrid);

    /** The trace of a recovery pass that starts now. */
    Trace recoveryPass();
}
