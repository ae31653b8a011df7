package dev.pledge.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child JVM: the disk's own ceiling, one thread writing 128-byte records each followed by
 * {@code fdatasync}. {@code append} grows the file (every sync also writes the new file size);
 * {@code preallocated} writes into a file already written to full length and synced, as a journal
 * with preallocated segments does (the sync carries the data alone). Prints
 * {@code RESULT n=… seconds=…}.
 * <pre>DiskCeiling append|preallocated SECONDS DIR</pre>
 */
public final class DiskCeiling {
    private static final int PREALLOCATED_BYTES = 64 << 20;

    private DiskCeiling() {
    }

    public static void main(String[] args) throws Exception {
        boolean append = switch (args[0]) {
            case "append" -> true;
            case "preallocated" -> false;
            default -> throw new IllegalArgumentException("mode must be append or preallocated, not " + args[0]);
        };
        double seconds = Double.parseDouble(args[1]);
        Path file = Files.createDirectories(Path.of(args[2])).resolve("ceiling.dat");
        Files.deleteIfExists(file);
        ByteBuffer record = ByteBuffer.allocateDirect(128);
        long n = 0;
        long t0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (!append) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                while (ch.size() < PREALLOCATED_BYTES) {
                    zeros.clear();
                    ch.write(zeros, ch.size());
                }
                ch.force(true);
            }
            t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long position = 0;
            while (System.nanoTime() < end && position + 128 <= PREALLOCATED_BYTES) {
                record.clear();
                ch.write(record, position);
                ch.force(false);
                position += 128;
                n++;
            }
        }
        System.out.printf(java.util.Locale.ROOT, "RESULT n=%d seconds=%.3f%n", n, (System.nanoTime() - t0) / 1e9);
        Files.deleteIfExists(file);
    }
}
