package dev.pledge.tm.log.file;

import dev.pledge.tm.log.file.RecordCodec.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A segment read through one fixed buffer that slides over the file, so that replay holds at most
 * {@link #capacity()} bytes of a segment however large it is. The buffer holds at least one frame of
 * the largest size ({@link RecordCodec#FRAME_HEADER} + {@link RecordCodec#MAX_RECORD}), so every
 * frame is decoded whole from it. Offsets are those of the file.
 */
final class SegmentWindow implements AutoCloseable {
    /** The least capacity: one frame of the largest size. */
    static final int MIN_CAPACITY = RecordCodec.FRAME_HEADER + RecordCodec.MAX_RECORD;

    private final Path file;
    private final FileChannel channel;
    private final int size;
    private final byte[] buf;
    /** The file offset of {@code buf[0]}, and how many bytes of {@code buf} hold the file from there. */
    private int start;
    private int filled;

    SegmentWindow(Path file, int capacity) throws IOException {
        if (capacity < MIN_CAPACITY) {
            throw new IllegalArgumentException("a segment read window needs at least " + MIN_CAPACITY + " bytes, not " + capacity);
        }
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            long length = channel.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException(file + " has " + length + " bytes, more than a segment can hold");
            }
            this.size = (int) length;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.buf = new byte[(int) Math.min(capacity, Math.max(size, 1))];
    }

    /** The bytes of the file, as it was when opened. */
    int size() {
        return size;
    }

    /** The most bytes of the file held at once. */
    int capacity() {
        return buf.length;
    }

    /** The frame at {@code offset}, read as {@link RecordCodec#read} reads it from the whole file. */
    Frame frame(int offset) throws IOException {
        cover(offset, MIN_CAPACITY);
        return RecordCodec.read(buf, offset - start, filled);
    }

    /** The big-endian int at {@code offset}, which must leave four bytes before the end. */
    int intAt(int offset) throws IOException {
        cover(offset, 4);
        return ByteBuffer.wrap(buf, offset - start, 4).getInt();
    }

    /** The byte at {@code offset}, which must lie before the end. */
    byte byteAt(int offset) throws IOException {
        cover(offset, 1);
        return buf[offset - start];
    }

    /** Whether every byte from {@code from} to the end is zero. */
    boolean allZeroFrom(int from) throws IOException {
        for (int o = from; o < size; o = start + filled) {
            cover(o, 1);
            for (int i = o - start; i < filled; i++) {
                if (buf[i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The offset just after the last non-zero byte at or after {@code from}, or {@code from} if there is none. */
    int endWithoutTrailingZeros(int from) throws IOException {
        int end = size;
        while (end > from) {
            int chunkStart = Math.max(from, end - buf.length);
            load(chunkStart, end - chunkStart);
            for (int i = end - chunkStart - 1; i >= 0; i--) {
                if (buf[i] != 0) {
                    return chunkStart + i + 1;
                }
            }
            end = chunkStart;
        }
        return from;
    }

    /**
     * Makes the buffer hold the file from {@code offset} for {@code wanted} bytes, or up to the end if
     * the file ends sooner.
     */
    private void cover(int offset, int wanted) throws IOException {
        if (offset < 0 || offset >= size) {
            throw new IndexOutOfBoundsException("offset " + offset + " of " + file + " (" + size + " bytes)");
        }
        int needed = Math.min(wanted, size - offset);
        if (offset >= start && offset + needed <= start + filled) {
            return;
        }
        load(offset, Math.min(buf.length, size - offset));
    }

    private void load(int offset, int length) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buf, 0, length);
        long position = offset;
        while (target.hasRemaining()) {
            int n = channel.read(target, position);
            if (n < 0) {
                throw new EOFException(file + " ended at offset " + position + " while it was read: it was truncated by another process");
            }
            position += n;
        }
        start = offset;
        filled = length;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
