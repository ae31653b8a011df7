package dev.pledge.tm.log.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Opens the journal's files as real channels that fail on demand, the way a dying disk or a full
 * one does: a write refused before any byte is taken, a force that reports an I/O error after the
 * bytes reached the page cache, an open that finds no space. Faults apply to channels opened on
 * files matching {@link #where} (the name at open: a segment is opened as the next segment's file
 * and renamed afterwards) and, after {@link #onlyChannelsOpenedFromNowOn()}, only to channels opened
 * since; each switch is read at the moment of the call.
 */
public final class FaultyChannels implements FileJournal.ChannelOpener {
    /** Which files the faults hit (by default every file the journal opens). */
    public volatile Predicate<Path> where = p -> true;
    public volatile boolean failOpen;
    public volatile boolean failWrite;
    public volatile boolean failForce;
    /** Writes seem to succeed but their bytes vanish, as a page cache the kernel dropped after a failed writeback. */
    public volatile boolean loseWrites;
    /** Every write to a segment matching {@link #where} ({position, bytes}, in order); the zero-fills, which create their file, are left out. */
    final java.util.List<long[]> writes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /**
     * While set, a force of a segment waits for it (and counts down {@link #forceHeld} first), so that committers pile
     * up behind it. The background zero-fill's force is never held: it would let committers through in small groups.
     */
    volatile java.util.concurrent.CountDownLatch forceGate;
    final java.util.concurrent.CountDownLatch forceHeld = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int faultsFrom;

    /** Spares the channels open now (e.g. the current segment): faults hit only the files opened later. */
    public void onlyChannelsOpenedFromNowOn() {
        faultsFrom = opened.get() + 1;
    }

    static IOException injected(String what) {
        return new IOException("injected fault: " + what);
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        if (failOpen && where.test(file)) {
            throw injected("no space left on device opening " + file.getFileName());
        }
        boolean zeroFill = java.util.Arrays.asList(options).contains(java.nio.file.StandardOpenOption.CREATE);
        return new Faulty(file, opened.incrementAndGet(), !zeroFill, FileChannel.open(file, options));
    }

    private final class Faulty extends FileChannel {
        private final Path file;
        private final int serial;
        private final boolean recordWrites;
        private final FileChannel ch;

        Faulty(Path file, int serial, boolean recordWrites, FileChannel ch) {
            this.file = file;
            this.serial = serial;
            this.recordWrites = recordWrites;
            this.ch = ch;
        }

        private boolean hit() {
            return serial >= faultsFrom && where.test(file);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (failWrite && hit()) {
                throw injected("write to " + file.getFileName() + " refused");
            }
            long at = ch.position();
            int n;
            if (loseWrites && hit()) {
                n = src.remaining();
                src.position(src.limit());
                ch.position(at + n);
            } else {
                n = ch.write(src);
            }
            if (recordWrites && where.test(file)) {
                writes.add(new long[] {at, n});
            }
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failForce && hit()) {
                throw injected("fsync of " + file.getFileName() + " failed (EIO)");
            }
            java.util.concurrent.CountDownLatch gate = forceGate;
            if (gate != null && recordWrites && hit()) {
                forceHeld.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ch.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (failWrite && hit()) {
                throw injected("write to " + file.getFileName() + " refused");
            }
            return ch.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return ch.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (failWrite && hit()) {
                throw injected("write to " + file.getFileName() + " refused");
            }
            return ch.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }
}
