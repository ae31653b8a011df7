package dev.pledge.tm.log;

/**
 * What the write that made one commit decision durable cost: filled by the log when a caller asks
 * for it ({@link Journal#logCommit(LogRecords.CommitRecord, WriteStats)}, which tracing does only for
 * a span that records), so that the plain commit path measures nothing. Each figure is that of the
 * write that covered this decision, never of another one; a figure the log does not know stays
 * {@link #UNKNOWN}. Mutable and not thread-safe: one caller, filled before {@code logCommit} returns.
 */
public final class WriteStats {
    /** A figure the log did not learn (a database log knows no bytes; a checkpoint made the record durable). */
    public static final long UNKNOWN = -1;

    private long bytes = UNKNOWN;
    private long groupSize = UNKNOWN;
    private long forceNanos = UNKNOWN;

    /**
     * Records the figures: {@code bytes} of this decision's record, {@code groupSize} decisions (or
     * requests) made durable by the same write, and {@code forceNanos} that write and its force (or
     * statements and COMMIT) took, as timed by the thread that did it.
     */
    public void record(long bytes, long groupSize, long forceNanos) {
        this.bytes = bytes;
        this.groupSize = groupSize;
        this.forceNanos = forceNanos;
    }

    /** Bytes of the decision's record, or {@link #UNKNOWN}. */
    public long bytes() {
        return bytes;
    }

    /** Decisions made durable by the write that covered this one (itself included), or {@link #UNKNOWN}. */
    public long groupSize() {
        return groupSize;
    }

    /** Nanoseconds of that write and its force, or {@link #UNKNOWN}. */
    public long forceNanos() {
        return forceNanos;
    }

    @Override
    public String toString() {
        return "WriteStats[bytes=" + bytes + ", groupSize=" + groupSize + ", forceNanos=" + forceNanos + "]";
    }
}
