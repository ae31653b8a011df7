package dev.pledge.tm.log;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;

import java.io.IOException;
import java.util.Collection;

/**
 * The recovery log as the coordinator sees it. Presumed abort: only commit decisions, their
 * completion and heuristic outcomes are written.
 * <p>
 * Implementations are thread-safe; {@link #logCommit} is called concurrently by many committing
 * threads and must group their forces.
 * <p>
 * This is a service-provider interface between the coordinator and its log implementations
 * ({@code dev.pledge.tm.log.file}, the database log); applications do not call it.
 */
public interface Journal extends AutoCloseable {

    /**
     * Appends the decision and returns only once it is on disk (unless fsync was disabled as unsafe).
     * A plain {@link java.io.IOException} means the decision was not written and may be rolled back;
     * {@link JournalOutcomeUnknownException} means it may be on disk or not, and only a restart can tell.
     */
    void logCommit(CommitRecord record) throws IOException;

    /**
     * {@link #logCommit(CommitRecord)}, and fills {@code stats} with the figures of the write that made
     * the decision durable (for tracing; the plain method measures nothing). A log that keeps no figures
     * leaves them {@link WriteStats#UNKNOWN}.
     */
    default void logCommit(CommitRecord record, WriteStats stats) throws IOException {
        logCommit(record);
    }

    /** Appends that every branch of the decided transaction is done; not forced. Unknown gtrids are ignored. */
    void logCompleted(Gtrid gtrid);

    /** Appends a heuristic outcome and forces it. */
    void logHeuristic(HeuristicRecord record) throws IOException;

    /** Appends that an operator resolved the heuristic outcomes of {@code gtrid}; forced. */
    void logResolved(Gtrid gtrid) throws IOException;

    /** The decision for {@code gtrid} if it is not yet completed, else null. */
    CommitRecord pendingCommit(Gtrid gtrid);

    /** A snapshot of every decision not yet completed, from this process and earlier ones. */
    Collection<CommitRecord> pendingCommits();

    /** A snapshot of every heuristic outcome not yet resolved. */
    Collection<HeuristicRecord> heuristics();

    /** How many times the log was forced to disk since it was opened (for metrics and the one-force-per-commit check). */
    long forceCount();

    /**
     * Why this log refuses new decisions for good (a database log fenced by another service that took
     * its node over), or null. The coordinator begins no new transaction while it is not null.
     */
    default String refusal() {
        return null;
    }

    /**
     * Why this log cannot write a decision now (it failed and stopped, its directory is gone, its
     * database cannot be reached, it is closed), or null when it can as far as it knows. For health
     * views: cheap, never throws, never blocks on I/O for long.
     */
    default String failure() {
        return null;
    }

    /** True once another service took this log's node over: it refuses decisions for good (see {@link #refusal()}). */
    default boolean fenced() {
        return refusal() != null;
    }

    /** Releases the files and the directory lock. */
    @Override
    void close();
}
