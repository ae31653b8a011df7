package dev.pledge.tm.log.file;

import java.nio.file.Path;

/** The file log's test seams, for the coordinator's tests in another package: a log on {@link FaultyChannels}. */
public final class FileJournals {
    public static final long DEFAULT_SEGMENT_BYTES = FileJournal.DEFAULT_SEGMENT_BYTES;
    public static final String NEXT_SEGMENT = FileJournal.NEXT_SEGMENT;

    private FileJournals() {
    }

    public static FileJournal open(Path directory, boolean fsync, long segmentBytes, FaultyChannels channels) {
        return FileJournal.open(directory, fsync, segmentBytes, channels);
    }
}
