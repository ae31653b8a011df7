package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.WriteStats;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory journal for coordinator unit tests: keeps state like the real one and writes every
 * call into the call log. Given a real journal (the file log or the database log), it writes through
 * to it as well and answers the coordinator's questions from it, so that the same test runs on both
 * logs while its maps still show what the coordinator asked for.
 */
final class RecordingJournal implements Journal {
    private final CallLog log;
    final Map<Gtrid, CommitRecord> pending = new ConcurrentHashMap<>();
    final List<CommitRecord> commits = new CopyOnWriteArrayList<>();
    final List<Gtrid> completed = new CopyOnWriteArrayList<>();
    final List<HeuristicRecord> heuristics = new CopyOnWriteArrayList<>();
    volatile boolean failWrites;

    /** The real journal written through to, or null. */
    private final Journal real;

    RecordingJournal(CallLog log) {
        this(log, null);
    }

    RecordingJournal(CallLog log, Journal real) {
        this.log = log;
        this.real = real;
    }

    @Override
    public void logCommit(CommitRecord record) throws IOException {
        if (failWrites) {
            throw new IOException("disk full (scripted)");
        }
        if (real != null) {
            real.logCommit(record);
        }
        log.add("journal.commit");
        commits.add(record);
        pending.put(record.gtrid(), record);
    }

    /** Written as {@code journal.stats-asked} then {@code journal.commit}: only a recording trace asks for the write's figures. */
    @Override
    public void logCommit(CommitRecord record, WriteStats stats) throws IOException {
        log.add("journal.stats-asked");
        logCommit(record);
    }

    @Override
    public void logCompleted(Gtrid gtrid) {
        if (real != null) {
            real.logCompleted(gtrid);
        }
        if (pending.remove(gtrid) != null) {
            log.add("journal.completed");
            completed.add(gtrid);
        }
    }

    @Override
    public void logHeuristic(HeuristicRecord record) throws IOException {
        if (real != null) {
            real.logHeuristic(record);
        }
        log.add("journal.heuristic(" + record.branch().resourceName() + ")");
        heuristics.add(record);
    }

    @Override
    public void logResolved(Gtrid gtrid) throws IOException {
        if (real != null) {
            real.logResolved(gtrid);
        }
        heuristics.removeIf(h -> h.gtrid().equals(gtrid));
    }

    @Override
    public CommitRecord pendingCommit(Gtrid gtrid) {
        return real != null ? real.pendingCommit(gtrid) : pending.get(gtrid);
    }

    @Override
    public Collection<CommitRecord> pendingCommits() {
        return real != null ? real.pendingCommits() : List.copyOf(pending.values());
    }

    @Override
    public Collection<HeuristicRecord> heuristics() {
        return real != null ? real.heuristics() : new ArrayList<>(heuristics);
    }

    @Override
    public String refusal() {
        return real != null ? real.refusal() : null;
    }

    @Override
    public String failure() {
        return real != null ? real.failure() : null;
    }

    @Override
    public long forceCount() {
        return commits.size();
    }

    @Override
    public void close() {
        if (real != null) {
            real.close();
        }
    }
}
