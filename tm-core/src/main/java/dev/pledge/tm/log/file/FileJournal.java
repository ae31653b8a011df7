package dev.pledge.tm.log.file;

import dev.pledge.tm.log.JournalOutcomeUnknownException;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.JournalSnapshot;
import dev.pledge.tm.log.WriteStats;

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
import java.nio.file.OpenOption;
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
 * <p>
 * Each write-out begins with a mark record (segment format 2) holding the segment offset up to
 * which the log was forced, and so acknowledged, before it: the fill buffers keep room for it at
 * their start, so it costs 17 bytes and no copy. Replay uses it to tell a torn last write (a
 * power loss kept a later sector of it and lost an earlier one; none of its records had been
 * acknowledged) from damage before a forced point (see {@link JournalReplay}).
 * <p>
 * Failures are fail-stop, as PostgreSQL after a failed fsync: once a write or force fails, what
 * the page cache holds can no longer be trusted, and every later append fails until a restart.
 * {@code logCommit} throws only for a decision that is not durable: a plain {@link IOException}
 * when none of its record was handed to the operating system (rolling back is safe),
 * {@link JournalOutcomeUnknownException} when some was (it may reach the disk yet; the coordinator
 * leaves the branches prepared). After an unknown outcome the live state is not answered either,
 * so that recovery in this process neither commits nor presumes abort on it: the restart's replay
 * decides. A roll-over that fails after the force that made decisions durable fails the log, not
 * those decisions.
 * <p>
 * NIO closes a channel that an interrupted thread uses. Every I/O a commit or {@link #open} can
 * reach (write, force, roll-over, checkpoint, zero-fill, replay) runs with the caller's interrupt
 * set aside and restored after; when an interrupt from another thread closes a channel mid-I/O,
 * the step is redone on a short-lived thread that no interrupt reaches. Neither the decision nor
 * the log fails for it.
 */
public final class FileJournal implements Journal {
    private static final Logger log = LoggerFactory.getLogger(FileJournal.class);
    /** Default size of a segment file. */
    public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;
    /** Smallest segment size a service may configure. */
    public static final long MIN_SEGMENT_BYTES = 1L << 20;
    /** Largest segment size a service may configure: replay refuses larger files as not Pledge's. */
    public static final long MAX_SEGMENT_BYTES = JournalReplay.MAX_SEGMENT_BYTES;
    private static final int BUFFER_BYTES = 256 * 1024;
    /** Queued completion records past which a completer writes them out itself, without forcing. */
    private static final int QUEUED_COMPLETIONS_LIMIT = 4096;
    /**
     * How often a committer that finds a force in progress yields the processor, re-checking, before
     * it parks. A yield returns at once when nothing else is runnable, and a force of fast storage ends
     * within a few of them; a park costs a futex wait, the leader's unpark and, on an idle virtual
     * processor, its wake-up. With many committers on few processors most waiters are served this way
     * (bench/README.md's no-op table measures it).
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

    /** Opens the files the log writes (segments and the next segment's fill); tests substitute channels that fail. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /** Real files, never through a symbolic link, created owner-only whatever the umask. */
    static final ChannelOpener FILE_CHANNELS = LogFiles::open;

    private final Path directory;
    private final Path lockKey;
    private final boolean fsync;
    private final long maxSegmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ChannelOpener channels;

    private final Map<Gtrid, CommitRecord> pending = new ConcurrentHashMap<>();
    private final Map<Gtrid, List<HeuristicRecord>> heuristics = new ConcurrentHashMap<>();

    /** Guards appends: the fill buffer, {@link #appended} and additions to the live state maps (and so their checkpoint copy). */
    private final Object appendLock = new Object();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer fill = freshBuffer();
    private long appended;
    /** A record in {@link #fill} asks for its write's figures ({@link WriteStats}): the write that takes it measures itself. */
    private boolean fillWantsStats;

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

    /** How many measured writes {@link #recentWrites} remembers. */
    private static final int RECENT_WRITES = 64;
    /**
     * The figures of the last measured writes, by {@link #measuredWrites} modulo their number; written
     * under forceLock before {@link #durable} is raised, read by the committers they covered.
     */
    private final WriteFigures[] recentWrites = new WriteFigures[RECENT_WRITES];
    private volatile long measuredWrites;

    /** What one write that made logical positions {@code from}..{@code to} durable carried and took. */
    private record WriteFigures(long from, long to, long decisions, long nanos) {
    }

    private ByteBuffer spare = freshBuffer();
    /** The fill of the file the next roll-over writes into; guarded by forceLock. */
    private Preallocation preallocation;
    /** Checksum state of the forceLock holder, which encodes checkpoints and completions outside the append lock. */
    private final CRC32C writerCrc = new CRC32C();
    private FileChannel segment;
    private long segmentNumber;
    private long segmentBytes;
    /** Segment offset up to which the current segment is forced (written, without fsync) and acknowledged; guarded by forceLock. */
    private long acknowledgedBytes;
    private volatile long durable;
    /** Logical position up to which records were handed to the operating system; guarded by forceLock. */
    private long written;
    /**
     * Set (before {@link #failure}) when the log fails: the logical position up to which records had been
     * handed to the operating system. A decision whose record starts below it may reach the disk although
     * its force failed: its outcome is unknown. One that starts at or after it was never written.
     */
    private volatile long handedAtFailure = -1;
    /** The log failed with records handed to the operating system but not known durable: its live state is no longer trusted. */
    private volatile boolean outcomeUnknown;
    private volatile long forces;
    private volatile IOException failure;
    private volatile boolean closed;

    private FileJournal(Path directory, Path lockKey, boolean fsync, long maxSegmentBytes, FileChannel lockChannel, FileLock lock,
                        ChannelOpener channels) {
        this.directory = directory;
        this.channels = channels;
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
        return open(directory, fsync, maxSegmentBytes, FILE_CHANNELS);
    }

    /**
     * Opens (creating if needed) and locks the directory, replays it, and starts a fresh segment;
     * {@code channels} opens the segment files (tests pass one whose channels fail). A caller whose
     * interrupt is set is served all the same and keeps its interrupt.
     */
    static FileJournal open(Path directory, boolean fsync, long maxSegmentBytes, ChannelOpener channels) {
        boolean interrupted = Thread.interrupted(); // NIO would close every channel this thread touches
        try {
            return openUninterrupted(directory, fsync, maxSegmentBytes, channels);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static FileJournal openUninterrupted(Path directory, boolean fsync, long maxSegmentBytes, ChannelOpener channels) {
        Path dir = directory.toAbsolutePath();
        createOwnerOnly(dir);
        LogFiles.requireTrusted(dir);
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
            lockChannel = LogFiles.open(dir.resolve("pledge.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        FileJournal j = new FileJournal(dir, lockKey, fsync, maxSegmentBytes, lockChannel, lock, channels);
        try {
            JournalReplay replay = replayRetryingInterrupts(dir);
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

    /** Replays {@code dir}, reading it again if an interrupt from another thread closed a file being read. */
    private static JournalReplay replayRetryingInterrupts(Path dir) throws IOException {
        try {
            return JournalReplay.replay(dir);
        } catch (ClosedByInterruptException e) {
            Thread.interrupted();
            JournalReplay r = uninterruptibly(() -> JournalReplay.replay(dir));
            Thread.currentThread().interrupt();
            return r;
        }
    }

    /** I/O that {@link #uninterruptibly} redoes. */
    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code io} on a new thread that nobody else knows, so no interrupt can close its channels,
     * and waits for it without being interruptible itself: how I/O that an interrupt cut short is
     * redone, so that even an endless stream of interrupts cannot keep it from finishing. Only that
     * rare path pays for a thread; an interrupt arriving meanwhile is kept (the flag is set on return).
     */
    static <T> T uninterruptibly(Io<T> io) throws IOException {
        Object[] result = new Object[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = io.run();
            } catch (Throwable e) {
                error[0] = e;
            }
        }, "pledge-log-io");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = error[0];
        if (e instanceof IOException io2) {
            throw io2;
        } else if (e instanceof RuntimeException r) {
            throw r;
        } else if (e instanceof Error err) {
            throw err;
        } else if (e != null) {
            throw new IllegalStateException(e);
        }
        @SuppressWarnings("unchecked")
        T t2 = (T) result[0];
        return t2;
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
        append(record, null);
    }

    /** Also fills {@code stats} with the figures of the write that made the decision durable (see {@link #flush}). */
    @Override
    public void logCommit(CommitRecord record, WriteStats stats) throws IOException {
        append(record, stats);
    }

    /** {@code stats} is null on the plain path: then nothing is measured or kept. */
    private void append(CommitRecord record, WriteStats stats) throws IOException {
        int size = RecordCodec.commitSize(record);
        if (size > RecordCodec.MAX_RECORD) {
            throw new IOException("commit record of " + record.gtrid() + " would take " + size + " bytes, more than the "
                    + RecordCodec.MAX_RECORD + " a record may have (too many branches)");
        }
        long start;
        long end;
        synchronized (appendLock) {
            checkUsable();
            ensureRoom(size);
            int before = fill.position();
            RecordCodec.encodeCommit(fill, record, crc);
            start = appended;
            appended += fill.position() - before;
            end = appended;
            pending.put(record.gtrid(), record);
            if (stats != null) {
                fillWantsStats = true;
            }
        }
        try {
            awaitDurable(end);
            if (stats != null) {
                fillStats(stats, start, end);
            }
        } catch (IOException e) {
            if (handedAtFailure > start) {
                // Some of its bytes reached the operating system before the log failed: they may reach the disk yet.
                throw new JournalOutcomeUnknownException("the commit decision of " + record.gtrid() + " was handed to recovery log "
                        + directory + " but the log failed before it was known durable (" + e.getMessage() + "); it may or may not be"
                        + " on disk. The log accepts nothing more: restart the service, and its replay decides (commit if the"
                        + " record is on disk, else presumed abort)", e);
            }
            // Not written: the caller rolls back, and this process's recovery must not commit branches on a decision that is not made.
            pending.remove(record.gtrid());
            throw e;
        } catch (RuntimeException e) {
            pending.remove(record.gtrid());
            throw e;
        }
    }

    /** The figures of the measured write that covered the record at {@code start}..{@code end}, or only its bytes if none did. */
    private void fillStats(WriteStats stats, long start, long end) {
        for (long i = measuredWrites - 1, last = Math.max(0, i - RECENT_WRITES + 1); i >= last; i--) {
            // a racy read of immutable figures: durable (volatile) was raised after the covering write's were stored
            WriteFigures w = recentWrites[(int) (i % RECENT_WRITES)];
            if (w != null && w.from() <= start && end <= w.to()) {
                stats.record(end - start, w.decisions(), w.nanos());
                return;
            }
        }
        // a checkpoint made it durable, or 64 measured writes went by before this committer looked: not guessed
        stats.record(end - start, WriteStats.UNKNOWN, WriteStats.UNKNOWN);
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

    /** An empty fill buffer: records go in after the room its write-out's mark takes. */
    private static ByteBuffer freshBuffer() {
        return ByteBuffer.allocate(BUFFER_BYTES).position(RecordCodec.MARK_SIZE);
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
            throw new IOException("recovery log " + directory + " failed earlier and accepts no more decisions until the service is"
                    + " restarted: " + f.getMessage(), f);
        }
    }

    /**
     * Caller holds forceLock. Stops the log: every later append fails. Records handed to the operating
     * system up to {@code handed} and not known durable have an unknown outcome; then the live state
     * in memory is no longer the truth (a decision in it may be lost, one left out may reach the disk)
     * and only a restart's replay can tell.
     */
    private void fail(IOException e, long handed) {
        handedAtFailure = handed;
        if (handed > durable) {
            outcomeUnknown = true;
        }
        failure = e;
        log.error("Writing recovery log {} failed; no further commit decisions can be logged until the service is restarted{}", directory,
                outcomeUnknown ? " (decisions handed to the operating system but not known durable have an unknown outcome;"
                        + " the restart's replay decides them)" : "", e);
    }

    /** Refuses to answer what is pending once an outcome is unknown: acting on it (commit or presumed abort) could be wrong. */
    private void checkStateKnown() {
        if (outcomeUnknown) {
            throw new JournalException("Recovery log " + directory + " stopped after a write or force failed with decisions in flight,"
                    + " whose outcome is unknown until a restart replays the log (" + failure.getMessage() + "). Restart the service.",
                    failure);
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
     * channel closed by one that arrives mid-write is reopened and the write redone at its offset, on
     * a thread no interrupt reaches ({@link #uninterruptibly}).
     * <p>
     * Throws only when the records it took are not durable. A roll-over that fails after the force
     * fails the log (the next append is refused) but not the decisions that force made durable.
     */
    private void flush(boolean force) throws IOException {
        checkUsable();
        boolean interrupted = Thread.interrupted();
        try {
            ByteBuffer out;
            long target;
            boolean measure;
            synchronized (appendLock) {
                out = fill;
                fill = spare;
                target = appended;
                measure = fillWantsStats && (force || !fsync); // an unforced write leaves the measuring to the force after it
                if (measure) {
                    fillWantsStats = false;
                }
            }
            int recordsEnd = out.position();
            long from = target - (recordsEnd - RecordCodec.MARK_SIZE); // logical position of the first record in out
            out = withQueuedCompletions(out);
            int end = out.position();
            boolean nothing = end == RecordCodec.MARK_SIZE; // then only force, if asked: a mark alone would claim a write
            if (!nothing) {
                out.position(0); // the room every fill buffer keeps at its start
                RecordCodec.encodeMark(out, acknowledgedBytes, writerCrc);
                out.position(end);
            }
            int handed = 0; // bytes of out the operating system accepted, in an attempt an interrupt cut short
            try {
                out.flip();
                if (nothing) {
                    out.limit(0);
                }
                long at = segmentBytes;
                ByteBuffer bytes = out;
                long started = measure ? System.nanoTime() : 0;
                boolean carried = measure && written > durable; // an unforced write before this one carried records it makes durable
                try {
                    writeAndForce(bytes, force, target);
                } catch (ClosedByInterruptException e) {
                    // An interrupt from another thread closed the channel: reopen it and redo the same bytes at the same offset.
                    interrupted = true;
                    Thread.interrupted();
                    handed = out.position();
                    uninterruptibly(() -> {
                        segment = channels.open(directory.resolve(JournalReplay.segmentName(segmentNumber)), StandardOpenOption.WRITE);
                        segment.position(at);
                        bytes.rewind();
                        writeAndForce(bytes, force, target);
                        return null;
                    });
                    interrupted |= Thread.interrupted();
                }
                segmentBytes = at + out.limit();
                if (measure) {
                    long decisions = carried ? WriteStats.UNKNOWN : RecordCodec.countCommits(out, RecordCodec.MARK_SIZE, recordsEnd);
                    recentWrites[(int) (measuredWrites % RECENT_WRITES)] = new WriteFigures(carried ? durable : from, target, decisions,
                            System.nanoTime() - started);
                    measuredWrites++;
                }
            } catch (IOException e) {
                handed = Math.max(handed, out.position());
                int recordBytesHanded = Math.max(0, Math.min(handed, recordsEnd) - RecordCodec.MARK_SIZE);
                fail(e, Math.max(written, from + recordBytesHanded));
                throw e;
            } finally {
                spare = out.capacity() > BUFFER_BYTES * 4 ? freshBuffer() : out.clear().position(RecordCodec.MARK_SIZE);
            }
            if (force || !fsync) {
                durable = target;
                acknowledgedBytes = segmentBytes;
            }
            if (segmentBytes > maxSegmentBytes) {
                try {
                    rollOver();
                } catch (IOException e) {
                    // rollOver failed the log; the records forced above are durable all the same, so their committers go on
                    log.debug("roll-over of {} failed after a write that stands", directory, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Caller holds forceLock. Writes {@code out} (the records up to logical position {@code target}) and forces if asked. */
    private void writeAndForce(ByteBuffer out, boolean force, long target) throws IOException {
        write(segment, out);
        written = target;
        if (force) {
            segment.force(false);
            forces++;
        }
    }

    private static void write(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** The live state at one log position: what a checkpoint must repeat so that older segments can go. */
    /** {@code tail}: the records buffered when the state was copied; the checkpoint holds all they did, so they are not written. */
    private record Checkpoint(ByteBuffer tail, long position, List<CommitRecord> pending, List<HeuristicRecord> heuristics) {
    }

    /**
     * Caller holds forceLock. Takes, under the append lock, the records buffered so far and a copy
     * of the live state they leave; then, with appends flowing again, writes that state as the
     * checkpoint of a new segment into the zero-filled next file, forces it, renames it to its
     * segment name, and deletes every older segment. The records taken are not written anywhere:
     * the checkpoint holds all they did, so they are durable once it is. Records appended
     * meanwhile stay buffered and go to the new segment after the checkpoint, so the checkpoint
     * plus what follows it is the whole state.
     * <p>
     * Until the rename, replay never reads the new file: a failure before it leaves the log as it
     * was, with the records taken not durable (their committers get an error and roll back), and
     * fails the log. An interrupt from another thread that closes a channel meanwhile only makes the
     * step be redone; the caller's interrupt is kept.
     */
    private void rollOver() throws IOException {
        Checkpoint cp;
        synchronized (appendLock) {
            List<HeuristicRecord> hs = new ArrayList<>();
            heuristics.values().forEach(hs::addAll);
            cp = new Checkpoint(fill, appended, List.copyOf(pending.values()), hs);
            fill = spare;
        }
        boolean interrupted = false;
        FileChannel next = null;
        try {
            long number = segmentNumber + 1;
            Path file = directory.resolve(JournalReplay.segmentName(number));
            Path zeroed = directory.resolve(NEXT_SEGMENT);
            FileChannel[] opened = new FileChannel[1];
            Io<Long> prepare = () -> {
                takePreallocated();
                opened[0] = channels.open(zeroed, StandardOpenOption.WRITE);
                long bytes = writeCheckpoint(opened[0], number, cp);
                if (fsync) {
                    opened[0].force(false);
                    forces++;
                }
                return bytes;
            };
            long checkpointBytes;
            try {
                checkpointBytes = prepare.run();
            } catch (ClosedByInterruptException e) {
                // An interrupt from another thread closed a channel: make the next file again where no interrupt reaches.
                interrupted = true;
                Thread.interrupted();
                if (opened[0] != null) {
                    closeQuietly(opened[0]);
                }
                checkpointBytes = uninterruptibly(prepare);
                interrupted |= Thread.interrupted();
            } finally {
                next = opened[0];
            }
            Files.move(zeroed, file, StandardCopyOption.ATOMIC_MOVE);
            // From here on the new segment is the log: nothing below may fail the records its checkpoint made durable.
            if (fsync) {
                forceDirectory();
            }
            if (segment != null) {
                closeQuietly(segment);
            }
            segment = next;
            next = null;
            segmentNumber = number;
            segmentBytes = checkpointBytes;
            acknowledgedBytes = checkpointBytes;
            written = cp.position();
            durable = cp.position();
            deleteOlderSegments(number);
            startPreallocating();
        } catch (IOException e) {
            if (next != null) {
                closeQuietly(next);
            }
            fail(e, written);
            throw e;
        } finally {
            ByteBuffer used = cp.tail();
            spare = used.capacity() > BUFFER_BYTES * 4 ? freshBuffer() : used.clear().position(RecordCodec.MARK_SIZE);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes the segment header and the checkpoint at the start of {@code ch}; returns the bytes written. */
    private long writeCheckpoint(FileChannel ch, long number, Checkpoint cp) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
        buf.put(JournalReplay.MAGIC).putLong(number);
        long total = 0;
        for (CommitRecord c : cp.pending()) {
            total += flushIfFull(ch, buf, RecordCodec.commitSize(c));
            RecordCodec.encodeCommit(buf, c, writerCrc);
        }
        for (HeuristicRecord h : cp.heuristics()) {
            total += flushIfFull(ch, buf, RecordCodec.MAX_RECORD);
            RecordCodec.encodeHeuristic(buf, h, writerCrc);
        }
        buf.flip();
        total += buf.remaining();
        write(ch, buf);
        return total;
    }

    /** Caller holds forceLock. Deletes the segments the new one's checkpoint replaces; one left behind is replayed harmlessly. */
    private void deleteOlderSegments(long number) {
        try {
            for (Path old : JournalReplay.segments(directory)) {
                if (JournalReplay.number(old) < number) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            log.warn("Could not delete the segments of {} older than {}: {}; the next start replays them before the newer one",
                    directory, JournalReplay.segmentName(number), e.toString());
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
            zeroFill(channels, zeroed, maxSegmentBytes + BUFFER_BYTES, fsync);
        }
        return zeroed;
    }

    /** Caller holds forceLock. Starts zero-filling the file for the segment after this one. */
    private void startPreallocating() {
        Preallocation p = new Preallocation(channels, directory.resolve(NEXT_SEGMENT), maxSegmentBytes + BUFFER_BYTES, fsync);
        preallocation = p;
        p.start();
    }

    /**
     * Writes {@code bytes} zeros to {@code file} and forces them. A force after overwriting such a
     * file carries the data alone; a force after appending must also journal the new file size,
     * which on ext4 costs about a third more per force and waits on the kernel's journal thread.
     */
    static void zeroFill(ChannelOpener channels, Path file, long bytes, boolean force) throws IOException {
        try (FileChannel ch = channels.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
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
        private final ChannelOpener channels;
        private final Path file;
        private final long bytes;
        private final boolean force;
        private boolean filled;

        Preallocation(ChannelOpener channels, Path file, long bytes, boolean force) {
            super("pledge-log-preallocate");
            this.channels = channels;
            setDaemon(true);
            this.file = file;
            this.bytes = bytes;
            this.force = force;
        }

        @Override
        public void run() {
            try {
                zeroFill(channels, file, bytes, force);
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

    /** Writes out {@code buf} when {@code needed} more bytes would not fit; returns the bytes written. */
    private static int flushIfFull(FileChannel ch, ByteBuffer buf, int needed) throws IOException {
        if (buf.remaining() >= needed) {
            return 0;
        }
        buf.flip();
        int n = buf.remaining();
        write(ch, buf);
        buf.clear();
        return n;
    }

    /**
     * Makes the new segment's directory entry durable (Linux allows forcing a directory opened for
     * reading); redone if an interrupt from another thread closed the channel.
     */
    private void forceDirectory() {
        Io<Void> force = () -> {
            try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
                d.force(true);
            }
            return null;
        };
        try {
            try {
                force.run();
            } catch (ClosedByInterruptException e) {
                Thread.interrupted();
                uninterruptibly(force);
                Thread.currentThread().interrupt();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("forcing directory {} is not supported here: {}", directory, e.toString());
        }
    }

    // ------------------------------------------------------------------ state

    @Override
    public CommitRecord pendingCommit(Gtrid gtrid) {
        checkStateKnown();
        return pending.get(gtrid);
    }

    /** The failure that stopped the log, else whether it is closed or its directory is gone or read-only, else null. */
    @Override
    public String failure() {
        IOException f = failure;
        if (f != null) {
            return "recovery log " + directory + " failed and accepts no more decisions until the service is restarted"
                    + (outcomeUnknown ? " (decisions in flight have an unknown outcome)" : "") + ": " + f.getMessage();
        }
        if (closed) {
            return "recovery log " + directory + " is closed";
        }
        if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
            return "recovery log directory " + directory + " is missing or not writable";
        }
        return null;
    }

    @Override
    public Collection<CommitRecord> pendingCommits() {
        checkStateKnown();
        return List.copyOf(pending.values());
    }

    @Override
    public Collection<HeuristicRecord> heuristics() {
        checkStateKnown();
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
