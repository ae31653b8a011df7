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

/** An in-memory journal for coordinator unit tests: keeps state like the real one and writes every call into the call log. */
final class RecordingJournal implements Journal {
    private final CallLog log;
    final Map<Gtrid, CommitRecord> pending = new ConcurrentHashMap<>();
    final List<CommitRecord> commits = new CopyOnWriteArrayList<>();
    final List<Gtrid> completed = new CopyOnWriteArrayList<>();
    final List<HeuristicRecord> heuristics = new CopyOnWriteArrayList<>();
    volatile boolean failWrites;

    RecordingJournal(CallLog log) {
        this.log = log;
    }

    @Override
    public void logCommit(CommitRecord record) throws IOException {
        if (failWrites) {
            throw new IOException("disk full (scripted)");
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
        if (pending.remove(gtrid) != null) {
            log.add("journal.completed");
            completed.add(gtrid);
        }
    }

    @Override
    public void logHeuristic(HeuristicRecord record) {
        log.add("journal.heuristic(" + record.branch().resourceName() + ")");
        heuristics.add(record);
    }

    @Override
    public void logResolved(Gtrid gtrid) {
        heuristics.removeIf(h -> h.gtrid().equals(gtrid));
    }

    @Override
    public CommitRecord pendingCommit(Gtrid gtrid) {
        return pending.get(gtrid);
    }

    @Override
    public Collection<CommitRecord> pendingCommits() {
        return List.copyOf(pending.values());
    }

    @Override
    public Collection<HeuristicRecord> heuristics() {
        return new ArrayList<>(heuristics);
    }

    @Override
    public long forceCount() {
        return commits.size();
    }

    @Override
    public void close() {
    }
}
