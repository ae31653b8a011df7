package dev.pledge.tm.log;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.nio.file.Path;
import java.util.List;

/** What a recovery log holds, read without locking it: for operators' tools. */
public record JournalSnapshot(Path directory, List<CommitRecord> pendingCommits, List<HeuristicRecord> heuristics, List<Segment> segments) {

    /** One segment file and the bytes its records take (the rest of the preallocated file is zeros). */
    public record Segment(String name, long bytes) {
    }
}
