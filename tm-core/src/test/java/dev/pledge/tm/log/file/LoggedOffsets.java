package dev.pledge.tm.log.file;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.IOException;
import java.nio.file.Path;

/** Where two decisions written to a fresh journal end in its first segment: for tests that cut or damage them. */
record LoggedOffsets(long afterFirst, long afterSecond) {

    static LoggedOffsets write(Path log, CommitRecord first, CommitRecord second) throws IOException {
        try (FileJournal j = FileJournal.open(log, true)) {
            j.logCommit(first);
            long afterFirst = j.writtenBytes();
            j.logCommit(second);
            return new LoggedOffsets(afterFirst, j.writtenBytes());
        }
    }
}
