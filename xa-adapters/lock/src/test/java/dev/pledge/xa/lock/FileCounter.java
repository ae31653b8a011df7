package dev.pledge.xa.lock;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A protected resource shared by processes, with no locking of its own: a counter in a file
 * updated by read-modify-write (overlapping holders lose updates) and a marker file created
 * exclusively while a holder is inside (an overlapping holder finds it there).
 */
final class FileCounter {
    private final Path counter;
    private final Path marker;

    FileCounter(Path dir) {
        this.counter = dir.resolve("counter");
        this.marker = dir.resolve("inside");
    }

    /** Increments under the caller's lock; returns false if another holder was inside at the same time. */
    boolean increment() throws IOException {
        try {
            Files.createFile(marker);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        long v = value();
        Thread.yield();
        Files.writeString(counter, Long.toString(v + 1));
        Files.delete(marker);
        return true;
    }

    long value() throws IOException {
        return Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
    }
}
