package dev.pledge.tm.trace;

import dev.pledge.tm.log.Gtrid;

/**
 * The trace of one transaction or recovery pass: its steps, then its end. <b>Internal</b> (see
 * {@link TransactionTracer}). Thread-safe: with parallel phases, branches report from several threads.
 */
public interface Trace {
    /** Nothing is traced. */
    Trace NONE = Off.OFF;

    /** Phases of a branch: its span is named {@code pledge.<phase>}. */
    String PREPARE = "prepare";
    String COMMIT = "commit";
    String COMMIT_ONE_PHASE = "commit_one_phase";
    String ROLLBACK = "rollback";

    /** The beforeCompletion callbacks of commit; the coordinator asks for it only when there are callbacks. */
    Step beforeCompletion();

    /**
     * One branch's {@code phase} on {@code resource}; {@code gtrid} for the branches of a recovery pass
     * (each belongs to another transaction), null for a transaction's own.
     */
    Step branch(String phase, String resource, Gtrid gtrid);

    /** The forced write of the commit decision, with {@code branches} branches to commit. */
    LogWrite logWrite(int branches);

    /** Ends the transaction or pass: {@code outcome} ({@code pledge.outcome}); {@code error} marks the span's status as an error. */
    void end(String outcome, boolean error);
}
