package dev.pledge.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Child JVM: 128-byte appends each followed by fdatasync, one thread. Prints {@code RESULT syncs=… seconds=…}. */
public final class DiskCeiling {
    private DiskCeiling() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        Path file = dir.resolve("ceiling.dat");
        ByteBuffer record = ByteBuffer.allocateDirect(128);
        long n = 0;
        long t0;
        long end;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            t0 = System.nanoTime();
            end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                record.clear();
                ch.write(record);
                ch.force(false);
                n++;
            }
        }
        System.out.printf("RESULT syncs=%d seconds=%.3f%n", n, (System.nanoTime() - t0) / 1e9);
        Files.deleteIfExists(file);
    }
}
