package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.JournalSnapshot;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.Iterator;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery log: append-only, CRC32C-framed segment files with group commit.
 * <p>
 * Appending encodes a record into an in-memory buffer under a short lock. A thread that needs
 * durability then tries the force lock: if it gets it, it writes out everything buffered so far
 * (its own record and those of every thread that appended meanwhile) and forces once; if not, it
 * yields the processor a few times, re-checking, and then parks until a force covers its record.
 * The leader hands the lead to a waiter its force did not cover and then unparks every waiter it
 * covered, so waiters never queue on a monitor. A lone committer therefore pays one fdatasync per
 * decision on its own thread, with no hand-off; completion records take no lock and ride along
 * with the next write.
 * <p>
 * When the current segment grows past its size limit, the live state (decisions not completed,
 * heuristics not resolved) is written as a checkpoint at the start of a new segment, forced, and
 * every older segment is deleted. Appends go on meanwhile: only the copy of the live state is
 * taken under the append lock. The log is thus bounded by live transactions, not by history.
 * Opening always starts a new segment the same way, which also discards a torn tail.
 * <p>
 * Segment files are zero-filled to full size before the first record goes in (the next one by a
 * background thread while the current one fills), so a force carries data alone and never a new
 * file size. Replay reads the zero rest of a segment as its end.
 */
public final class FileJournal implements Journal {
    private static final Logger log = LoggerFactory.getLogger(FileJournal.class);
    static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;
    private static final int BUFFER_BYTES = 256 * 1024;
    /** Queued completion records past which a completer writes them out itself, without forcing. */
    private static final int QUEUED_COMPLETIONS_LIMIT = 4096;
    /**
     * How often a committer that finds a force in progress yields the processor, re-checking, before
     * it parks. A yield returns at once when nothing else is runnable, and a force of fast storage ends
     * within a few of them; a park costs a futex wait, the leader's unpark and, on an idle virtual
     * processor, its wake-up. With many committers on few processors most waiters are served this way
     * (the README's no-op table measures it).
     */
    private static final int YIELDS_BEFORE_PARK = 10;
    /** The zero-filled file the next segment is written into, renamed to its segment name once its checkpoint is down. */
    static final String NEXT_SEGMENT = "pledge-next.tmp";
    /**
     * Log directories locked by services of this JVM. The one piece of JVM-wide state, because the
     * lock it mirrors is per process too: POSIX drops a process's lock on a file when the process
     * closes ANY channel on that file, so a second service must be refused before it opens the lock
     * file, or its failed attempt would silently unlock the first service's log.
     */
    private static final Set<Path> LOCKED_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path lockKey;
    private final boolean fsync;
    private final long maxSegmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private final Map<Gtrid, CommitRecord> pending = new ConcurrentHashMap<>();
    private final Map<Gtrid, List<HeuristicRecord>> heuristics = new ConcurrentHashMap<>();

    /** Guards appends: the fill buffer, {@link #appended} and additions to the live state maps (and so their checkpoint copy). */
    private final Object appendLock = new Object();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer fill = ByteBuffer.allocate(BUFFER_BYTES);
    private long appended;

    /**
     * Completed decisions whose completion record is not written yet. A completion needs no force
     * and no position, so it takes no lock: the next writer encodes the queue into what it writes.
     */
    private final ConcurrentLinkedQueue<Gtrid> completions = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCompletions = new AtomicInteger();

    /**
     * Guards writing and forcing: the channel, the spare buffer and segment roll-over. A roll-over
     * holds the append lock only to take the buffer and copy the live state, never across I/O.
     */
    private final ReentrantLock forceLock = new ReentrantLock();
    /** Threads parked until the log is durable up to their record. */
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** A parked committer; identity equality, so {@code remove} compares references only. */
    private static final class Waiter {
        final Thread thread;
        final long end;
        /** Set by the leader once it has unlinked this waiter: then the waiter need not search the queue. */
        volatile boolean unlinked;

        Waiter(Thread thread, long end) {
            this.thread = thread;
            this.end = end;
        }
    }

    private ByteBuffer spare = ByteBuffer.allocate(BUFFER_BYTES);
    /** The fill of the file the next roll-over writes into; guarded by forceLock. */
    private Preallocation preallocation;
    /** Checksum state of the forceLock holder, which encodes checkpoints and completions outside the append lock. */
    private final CRC32C writerCrc = new CRC32C();
    private FileChannel segment;
    private long segmentNumber;
    private long segmentBytes;
    private volatile long durable;
    private volatile long forces;
    private volatile IOException failure;
    private volatile boolean closed;

    private FileJournal(Path directory, Path lockKey, boolean fsync, long maxSegmentBytes, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.lockKey = lockKey;
        this.fsync = fsync;
        this.maxSegmentBytes = maxSegmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static FileJournal open(Path directory, boolean fsync) {
        return open(directory, fsync, DEFAULT_SEGMENT_BYTES);
    }

    /** Opens (creating if needed) and locks the directory, replays it, and starts a fresh segment. */
    public static FileJournal open(Path directory, boolean fsync, long maxSegmentBytes) {
        Path dir = directory.toAbsolutePath();
        createOwnerOnly(dir);
        Path lockKey;
        try {
            lockKey = dir.toRealPath();
        } catch (IOException e) {
            throw new JournalException("Cannot resolve recovery log directory " + dir + ": " + e, e);
        }
        if (!LOCKED_IN_THIS_JVM.add(lockKey)) {
            throw inUse(dir, "by another service in this JVM");
        }
        FileChannel lockChannel;
        FileLock lock;
        try {
            lockChannel = FileChannel.open(dir.resolve("pledge.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOCKED_IN_THIS_JVM.remove(lockKey);
            throw new JournalException("Cannot open the lock file of recovery log " + dir + ": " + e + ". Check that the directory is writable.", e);
        }
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            LOCKED_IN_THIS_JVM.remove(lockKey);
            throw inUse(dir, "by another process");
        }
        FileJournal j = new FileJournal(dir, lockKey, fsync, maxSegmentBytes, lockChannel, lock);
        try {
            JournalReplay replay = JournalReplay.replay(dir);
            j.pending.putAll(replay.pending);
            replay.heuristics.forEach((g, list) -> j.heuristics.put(g, new CopyOnWriteArrayList<>(list)));
            j.segmentNumber = replay.lastSegmentNumber;
            j.forceLock.lock();
            try {
                j.rollOver();
            } finally {
                j.forceLock.unlock();
            }
            if (!j.pending.isEmpty() || !j.heuristics.isEmpty()) {
                log.info("Recovery log {}: {} commit decisions to finish, {} transactions with heuristic outcomes", dir,
                        j.pending.size(), j.heuristics.size());
            }
            return j;
        } catch (IOException e) {
            j.close();
            throw new JournalException("Cannot read or write recovery log " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    private static JournalException inUse(Path dir, String where) {
        return new JournalException("Recovery log " + dir + " is in use by another Pledge transaction service (" + where
                + "; its lock file " + dir.resolve("pledge.lock") + " is held). Each service needs its own log directory; stop the"
                + " other one or give this one another logDirectory.");
    }

    /** Reads a journal without locking or changing it: for operators' tools. */
    public static JournalSnapshot inspect(Path directory) {
        Path dir = directory.toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new JournalException("No recovery log at " + dir + ": not a directory");
        }
        try {
            JournalReplay replay = JournalReplay.replay(dir);
            List<JournalSnapshot.Segment> segments = new ArrayList<>();
            for (Path p : replay.segments) {
                segments.add(new JournalSnapshot.Segment(p.getFileName().toString(), replay.recordBytes.get(p)));
            }
            List<HeuristicRecord> hs = new ArrayList<>();
            replay.heuristics.values().forEach(hs::addAll);
            return new JournalSnapshot(dir, List.copyOf(replay.pending.values()), hs, segments);
        } catch (IOException e) {
            throw new JournalException("Cannot read recovery log " + dir + ": " + e, e);
        }
    }

    private static void createOwnerOnly(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                return;
            }
            Files.createDirectories(dir.getParent());
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new JournalException("Recovery log directory " + dir + " exists but is not a directory", e);
            }
        } catch (IOException e) {
            throw new JournalException("Cannot create recovery log directory " + dir + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------ appends

    @Override
    public void logCommit(CommitRecord record) throws IOException {
        int size = RecordCodec.commitSize(record);
        if (size > RecordCodec.MAX_RECORD) {
            throw new IOException("commit record of " + record.gtrid() + " would take " + size + " bytes, more than the "
                    + RecordCodec.MAX_RECORD + " a record may have (too many branches)");
        }
        long end;
        synchronized (appendLock) {
            checkUsable();
            ensureRoom(size);
            int before = fill.position();
            RecordCodec.encodeCommit(fill, record, crc);
            appended += fill.position() - before;
            end = appended;
            pending.put(record.gtrid(), record);
        }
        try {
            awaitDurable(end);
        } catch (IOException | RuntimeException e) {
            // The caller rolls back: this process's recovery must not commit branches on a decision that is not made.
            pending.remove(record.gtrid());
            throw e;
        }
    }

    /**
     * Queues the completion record for the next write. Its decision leaves the live state at once,
     * so a checkpoint taken before the record is written already leaves it out; its commit record
     * is durable (logCommit returned), so the completion always lands after it in the log.
     */
    @Override
    public void logCompleted(Gtrid gtrid) {
        if (failure != null || closed || pending.remove(gtrid) == null) {
            return;
        }
        completions.add(gtrid);
        if (queuedCompletions.incrementAndGet() > QUEUED_COMPLETIONS_LIMIT) {
            try {
                writeOut(false, Long.MAX_VALUE);
            } catch (IOException e) {
                log.error("Writing completion records to {} failed", directory, e);
            }
        }
    }

    @Override
    public void logHeuristic(HeuristicRecord record) throws IOException {
        long end;
        synchronized (appendLock) {
            checkUsable();
            ensureRoom(RecordCodec.FRAME_HEADER + 64 + 3 * (record.gtrid().bytes().length + record.branch().bqual().length
                    + record.branch().resourceName().length()));
            int before = fill.position();
            RecordCodec.encodeHeuristic(fill, record, crc);
            appended += fill.position() - before;
            end = appended;
            heuristics.computeIfAbsent(record.gtrid(), g -> new CopyOnWriteArrayList<>()).add(record);
        }
        awaitDurable(end);
    }

    @Override
    public void logResolved(Gtrid gtrid) throws IOException {
        long end;
        synchronized (appendLock) {
            checkUsable();
            ensureRoom(RecordCodec.FRAME_HEADER + 3 + gtrid.bytes().length);
            int before = fill.position();
            RecordCodec.encodeResolved(fill, gtrid, crc);
            appended += fill.position() - before;
            end = appended;
            heuristics.remove(gtrid);
        }
        awaitDurable(end);
    }

    /** Caller holds appendLock. Grows the fill buffer when one record would not fit. */
    private void ensureRoom(int bytes) {
        fill = withRoom(fill, bytes);
    }

    private static ByteBuffer withRoom(ByteBuffer buf, int bytes) {
        if (buf.remaining() >= bytes) {
            return buf;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes));
        buf.flip();
        bigger.put(buf);
        return bigger;
    }

    /** Caller holds forceLock. Encodes the completions queued so far after the records in {@code buf}. */
    private ByteBuffer withQueuedCompletions(ByteBuffer buf) {
        for (int n = queuedCompletions.get(); n > 0; n--) {
            Gtrid g = completions.poll();
            if (g == null) {
                break;
            }
            queuedCompletions.decrementAndGet();
            buf = withRoom(buf, RecordCodec.FRAME_HEADER + 3 + g.bytes().length);
            RecordCodec.encodeCompleted(buf, g, writerCrc);
        }
        return buf;
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("recovery log " + directory + " is closed");
        }
        IOException f = failure;
        if (f != null) {
            throw new IOException("recovery log " + directory + " failed earlier and accepts no more decisions: " + f.getMessage(), f);
        }
    }

    /** Returns once everything up to logical position {@code end} is on disk, forcing if nobody else is. */
    private void awaitDurable(long end) throws IOException {
        Waiter me = null;
        int yields = 0;
        boolean interrupted = false;
        try {
            while (durable < end) {
                if (forceLock.tryLock()) {
                    try {
                        if (durable < end) {
                            flush(fsync);
                        }
                    } finally {
                        forceLock.unlock();
                    }
                    wakeWaiters();
                } else {
                    checkUsable();
                    if (me == null && yields < YIELDS_BEFORE_PARK) {
                        yields++;
                        Thread.yield();
                        continue;
                    }
                    if (me == null) {
                        me = new Waiter(Thread.currentThread(), end);
                        waiters.add(me);
                        continue; // re-check: the leader may have finished before we were queued
                    }
                    LockSupport.parkNanos(this, 10_000_000L);
                    // park returns at once while the interrupt is set: keep it for the caller instead of spinning on it
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (me != null && !me.unlinked) {
                waiters.remove(me); // the leader did not unlink it (yet): a linear search, rarely needed
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Unparks first one waiter the last force did not cover, to lead the next force, and then every
     * waiter it covered. In that order the next force is on its way while the covered committers
     * run their phase two, so the processor and the disk work at once instead of in turns.
     */
    private void wakeWaiters() {
        long d = durable;
        for (Waiter w : waiters) {
            if (w.end > d) {
                LockSupport.unpark(w.thread);
                break;
            }
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.end <= d) {
                it.remove();
                w.unlinked = true;
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** Writes out the buffered records and (if {@code force}) forces them, unless a force already covered {@code end}. */
    private void writeOut(boolean force, long end) throws IOException {
        forceLock.lock();
        try {
            if (durable < end) {
                flush(force);
            }
        } finally {
            forceLock.unlock();
        }
        wakeWaiters();
    }

    /**
     * Caller holds forceLock. Writes out what is buffered, forces if asked, rolls the segment over
     * when it is full. An interrupted caller is served all the same, its interrupt kept: NIO closes a
     * channel that an interrupted thread uses, so the interrupt is set aside for the I/O, and a
     * channel closed by one that arrives mid-write is reopened and the write redone at its offset.
     */
    private void flush(boolean force) throws IOException {
        checkUsable();
        boolean interrupted = Thread.interrupted();
        try {
            ByteBuffer out;
            long target;
            synchronized (appendLock) {
                out = fill;
                fill = spare;
                target = appended;
            }
            out = withQueuedCompletions(out);
            try {
                out.flip();
                long at = segmentBytes;
                for (int attempt = 1; ; attempt++) {
                    try {
                        if (attempt > 1) { // an interrupt closed the channel: reopen it and redo the same bytes at the same offset
                            segment = FileChannel.open(directory.resolve(JournalReplay.segmentName(segmentNumber)), StandardOpenOption.WRITE);
                            segment.position(at);
                            out.rewind();
                        }
                        writeAndForce(out, force);
                        break;
                    } catch (ClosedByInterruptException e) {
                        interrupted = true;
                        Thread.interrupted();
                        if (attempt == 10) {
                            throw e;
                        }
                    }
                }
                segmentBytes = at + out.limit();
            } catch (IOException e) {
                failure = e;
                log.error("Writing recovery log {} failed; no further commit decisions can be logged", directory, e);
                throw e;
            } finally {
                out.clear();
                if (out.capacity() > BUFFER_BYTES * 4) {
                    out = ByteBuffer.allocate(BUFFER_BYTES);
                }
                spare = out;
            }
            if (force || !fsync) {
                durable = target;
            }
            if (segmentBytes > maxSegmentBytes) {
                rollOver();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Caller holds forceLock. Writes {@code out} at the segment's position and forces if asked. */
    private void writeAndForce(ByteBuffer out, boolean force) throws IOException {
        while (out.hasRemaining()) {
            segment.write(out);
        }
        if (force) {
            segment.force(false);
            forces++;
        }
    }

    /** The live state at one log position: what a checkpoint must repeat so that older segments can go. */
    private record Checkpoint(ByteBuffer tail, long position, List<CommitRecord> pending, List<HeuristicRecord> heuristics) {
    }

    /**
     * Caller holds forceLock. Takes, under the append lock, the records buffered so far and a copy
     * of the live state they leave; then, with appends flowing again, writes and forces those
     * records to the current segment, starts a new segment holding the checkpoint, forces it, and
     * deletes every older segment. Records appended meanwhile stay buffered and go to the new
     * segment after the checkpoint, so the checkpoint plus what follows it is the whole state.
     */
    private void rollOver() throws IOException {
        Checkpoint cp;
        synchronized (appendLock) {
            List<HeuristicRecord> hs = new ArrayList<>();
            heuristics.values().forEach(hs::addAll);
            cp = new Checkpoint(fill, appended, List.copyOf(pending.values()), hs);
            fill = spare;
        }
        try {
            if (segment != null) {
                ByteBuffer tail = cp.tail().flip();
                while (tail.hasRemaining()) {
                    segment.write(tail);
                }
                if (fsync) {
                    segment.force(false);
                    forces++;
                }
                segment.close();
                durable = cp.position();
            }
            long number = segmentNumber + 1;
            Path file = directory.resolve(JournalReplay.segmentName(number));
            Path zeroed = takePreallocated();
            FileChannel next = FileChannel.open(zeroed, StandardOpenOption.WRITE);
            ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
            buf.put(JournalReplay.MAGIC).putLong(number);
            for (CommitRecord c : cp.pending()) {
                buf = flushIfFull(next, buf, RecordCodec.commitSize(c));
                RecordCodec.encodeCommit(buf, c, writerCrc);
            }
            for (HeuristicRecord h : cp.heuristics()) {
                buf = flushIfFull(next, buf, RecordCodec.MAX_RECORD);
                RecordCodec.encodeHeuristic(buf, h, writerCrc);
            }
            buf.flip();
            long written = 0;
            while (buf.hasRemaining()) {
                written += next.write(buf);
            }
            if (fsync) {
                next.force(false);
                forces++;
            }
            Files.move(zeroed, file, StandardCopyOption.ATOMIC_MOVE);
            if (fsync) {
                forceDirectory();
            }
            segment = next;
            segmentNumber = number;
            segmentBytes = written;
            durable = cp.position();
            for (Path old : JournalReplay.segments(directory)) {
                if (JournalReplay.number(old) < number) {
                    Files.deleteIfExists(old);
                }
            }
            startPreallocating();
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            ByteBuffer used = cp.tail().clear();
            spare = used.capacity() > BUFFER_BYTES * 4 ? ByteBuffer.allocate(BUFFER_BYTES) : used;
        }
    }

    /**
     * Caller holds forceLock. The zero-filled file the next segment is written into: the one the
     * background fill prepared, or (at start-up, or when that fill failed) one filled now.
     */
    private Path takePreallocated() throws IOException {
        Path zeroed = directory.resolve(NEXT_SEGMENT);
        Preallocation p = preallocation;
        preallocation = null;
        if (p == null || !p.awaitFilled()) {
            zeroFill(zeroed, maxSegmentBytes + BUFFER_BYTES, fsync);
        }
        return zeroed;
    }

    /** Caller holds forceLock. Starts zero-filling the file for the segment after this one. */
    private void startPreallocating() {
        Preallocation p = new Preallocation(directory.resolve(NEXT_SEGMENT), maxSegmentBytes + BUFFER_BYTES, fsync);
        preallocation = p;
        p.start();
    }

    /**
     * Writes {@code bytes} zeros to {@code file} and forces them. A force after overwriting such a
     * file carries the data alone; a force after appending must also journal the new file size,
     * which on ext4 costs about a third more per force and waits on the kernel's journal thread.
     */
    static void zeroFill(Path file, long bytes, boolean force) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(bytes, 1 << 20));
            for (long done = 0; done < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - done));
                done += ch.write(zeros);
            }
            if (force) {
                ch.force(true);
            }
        }
    }

    /** Zero-fills the next segment's file on a thread of its own, so that no committer waits for it. */
    private static final class Preallocation extends Thread {
        private final Path file;
        private final long bytes;
        private final boolean force;
        private boolean filled;

        Preallocation(Path file, long bytes, boolean force) {
            super("pledge-log-preallocate");
            setDaemon(true);
            this.file = file;
            this.bytes = bytes;
            this.force = force;
        }

        @Override
        public void run() {
            try {
                zeroFill(file, bytes, force);
                filled = true;
            } catch (IOException | RuntimeException e) {
                log.debug("Preallocating {} failed ({}); the next roll-over fills it itself", file, e.toString());
            }
        }

        /** Waits for the fill to end (it is bounded by one segment's size); true if it succeeded. */
        boolean awaitFilled() {
            boolean interrupted = false;
            while (isAlive()) {
                try {
                    join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return filled;
        }

        /** Stops the fill (its channel closes on interrupt) and removes the half-filled file. */
        void cancel() {
            interrupt();
            awaitFilled();
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.debug("Could not remove {}: {}", file, e.toString());
            }
        }
    }

    private static ByteBuffer flushIfFull(FileChannel ch, ByteBuffer buf, int needed) throws IOException {
        if (buf.remaining() >= needed) {
            return buf;
        }
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
        return buf;
    }

    /** Makes the new segment's directory entry durable (Linux allows forcing a directory opened for reading). */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            log.debug("forcing directory {} is not supported here: {}", directory, e.toString());
        }
    }

    // ------------------------------------------------------------------ state

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
        List<HeuristicRecord> all = new ArrayList<>();
        heuristics.values().forEach(all::addAll);
        return all;
    }

    @Override
    public long forceCount() {
        return forces;
    }

    /** Bytes written to the current segment so far; its file is longer, the rest being preallocated zeros (for tests). */
    long writtenBytes() {
        forceLock.lock();
        try {
            return segmentBytes;
        } finally {
            forceLock.unlock();
        }
    }

    /** Segment files now in the directory (for tests and operators). */
    List<Path> segmentFiles() throws IOException {
        return JournalReplay.segments(directory);
    }

    @Override
    public void close() {
        forceLock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                if (segment != null && failure == null) {
                    flush(fsync);
                }
            } catch (IOException e) {
                log.warn("Final write of recovery log {} failed: {}", directory, e.toString());
            }
            closed = true;
            if (segment != null) {
                closeQuietly(segment);
            }
            if (preallocation != null) {
                preallocation.cancel();
                preallocation = null;
            }
            try {
                lock.release();
            } catch (IOException e) {
                log.debug("releasing lock of {} failed", directory, e);
            }
            closeQuietly(lockChannel);
            LOCKED_IN_THIS_JVM.remove(lockKey);
        } finally {
            forceLock.unlock();
            wakeWaiters();
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
