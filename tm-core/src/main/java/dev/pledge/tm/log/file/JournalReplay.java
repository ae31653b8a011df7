package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import dev.pledge.tm.log.file.RecordCodec.Frame;
import dev.pledge.tm.log.file.RecordCodec.Invalid;
import dev.pledge.tm.log.file.RecordCodec.Valid;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every segment of a journal directory in order and rebuilds the live state: decisions not
 * completed and heuristic outcomes not resolved. A zero-filled tail, or a header that was never
 * completely written, is ignored.
 * <p>
 * A bad record (a gap of zeros, a checksum that fails) is a torn last write, ignored from there
 * on, or damage, which stops the replay with the file, the offset and what to do. One write-out
 * carries many committers' records and, until its force returns, none of them is acknowledged;
 * a power loss can leave any of its 512-byte sectors on disk while an earlier one still holds the
 * preallocated zeros. So, in segment format 2, where each write-out begins with a mark record
 * saying up to which offset the segment had been forced (and so acknowledged) before it: a bad
 * record with no valid one after it is a torn tail; one with valid records after it is a torn write
 * if no mark after it claims a forced point beyond it (everything from the gap on lies in writes
 * that were never forced), and damage otherwise. The records after such a gap are ignored: they
 * were never acknowledged, so presumed abort may have them. Format 1 segments (no marks) are still
 * read, with the old rule: any valid record after a bad one is damage. A limit: if the sectors
 * holding every mark of the unforced writes were lost too, damage in the last forced write is read
 * as torn.
 * <p>
 * A torn end is accepted in any segment, not only the newest: every segment is forced before the
 * next one is created, so an older segment ends torn only when a crash hit a start-up after it
 * had written its new segment and checkpoint but before it deleted the older ones. That
 * checkpoint holds everything the torn segment held that was still live, and older segments are
 * deleted oldest first, so replaying what is left in order gives the state again.
 * <p>
 * Each segment is read through a {@link SegmentWindow} of {@link #DEFAULT_WINDOW_BYTES}, never
 * whole: replay's memory is bounded by the window (at least one record of the largest size), not
 * by the segment's size.
 */
final class JournalReplay {
    private static final Logger log = LoggerFactory.getLogger(JournalReplay.class);

    /** The header of the segments this version writes: format 2, whose write-outs begin with a mark. */
    static final byte[] MAGIC = {'P', 'L', 'D', 'G', 'J', 'R', 'N', '2'};
    /** Format 1, without marks: still read. */
    static final byte[] MAGIC_V1 = {'P', 'L', 'D', 'G', 'J', 'R', 'N', '1'};
    static final int SEGMENT_HEADER = MAGIC.length + 8;
    /** At least 16 digits: numbers past 10^16 - 1 take more, and must still be segments, in order. */
    private static final Pattern SEGMENT = Pattern.compile("pledge-(\\d{16,19})\\.log");
    /**
     * The most a segment may hold before replay refuses to read it: its size limit is at most
     * {@value #MAX_SEGMENT_BYTES} bytes (plus the last write past it), so a larger file was not written
     * by Pledge (a sparse file, or a link to a device).
     */
    static final long MAX_SEGMENT_BYTES = 1L << 30;
    /**
     * The most of a segment replay holds in memory at once: segments are read through a window of
     * this size, so replay's memory does not grow with the segment size.
     */
    static final int DEFAULT_WINDOW_BYTES = 1 << 20;

    final Map<Gtrid, CommitRecord> pending = new LinkedHashMap<>();
    final Map<Gtrid, List<HeuristicRecord>> heuristics = new LinkedHashMap<>();
    final List<Path> segments;
    /** Per segment, the bytes up to the end of its last valid record (header included). */
    final Map<Path, Integer> recordBytes = new HashMap<>();
    long lastSegmentNumber;
    int records;

    private JournalReplay(List<Path> segments) {
        this.segments = segments;
    }

    static String segmentName(long number) {
        return String.format("pledge-%016d.log", number);
    }

    /** The segment files of {@code dir}, oldest first. */
    static List<Path> segments(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "pledge-*.log")) {
            for (Path p : ds) {
                if (SEGMENT.matcher(p.getFileName().toString()).matches()) {
                    out.add(p);
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(JournalReplay::number));
        return out;
    }

    static long number(Path segment) {
        Matcher m = SEGMENT.matcher(segment.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(segment.toString());
        }
        return Long.parseLong(m.group(1));
    }

    static JournalReplay replay(Path dir) throws IOException {
        return replay(dir, DEFAULT_WINDOW_BYTES);
    }

    /** Replays {@code dir} holding at most {@code windowBytes} of a segment in memory at once. */
    static JournalReplay replay(Path dir, int windowBytes) throws IOException {
        JournalReplay r = new JournalReplay(segments(dir));
        for (int i = 0; i < r.segments.size(); i++) {
            Path segment = r.segments.get(i);
            r.recordBytes.put(segment, r.readSegment(segment, windowBytes));
        }
        return r;
    }

    /** Replays one segment; returns where its records end (the rest is a torn or zero-filled tail). */
    private int readSegment(Path file, int windowBytes) throws IOException {
        java.nio.file.attribute.BasicFileAttributes attributes = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new JournalException("Recovery log " + file + " is not a regular file (a symbolic link, FIFO or device): Pledge wrote"
                    + " no such segment. Remove it from the log directory, which only the service's user should be able to write");
        }
        if (attributes.size() > MAX_SEGMENT_BYTES + (1 << 20)) {
            throw new JournalException("Recovery log " + file + " has " + attributes.size() + " bytes, more than any segment Pledge writes ("
                    + MAX_SEGMENT_BYTES + " at most): it was not written by Pledge. Remove it or restore the directory from a backup");
        }
        lastSegmentNumber = Math.max(lastSegmentNumber, number(file));
        try (SegmentWindow data = new SegmentWindow(file, windowBytes)) {
            return readRecords(file, data);
        }
    }

    private int readRecords(Path file, SegmentWindow data) throws IOException {
        int size = data.size();
        int version = size < SEGMENT_HEADER ? 0 : version(data);
        if (version == 0) {
            if (data.allZeroFrom(0) || (size < SEGMENT_HEADER && startsWithMagicPrefix(data))) {
                log.warn("Ignoring {}: its header was never completely written (a crash while the segment was created)", file);
                return 0;
            }
            throw corrupt(file, 0, "it does not start with a Pledge journal header");
        }
        int offset = SEGMENT_HEADER;
        while (offset < size) {
            Frame f = data.frame(offset);
            if (f instanceof Valid v) {
                apply(v);
                offset += v.size();
                continue;
            }
            if (data.allZeroFrom(offset)) {
                log.debug("{}: zero-filled tail from offset {} ignored", file, offset);
                return offset; // the unwritten rest of a preallocated segment
            }
            String reason = ((Invalid) f).reason();
            int end = data.endWithoutTrailingZeros(offset);
            int later = findValidFrameAfter(data, offset, end);
            if (later < 0) {
                log.warn("{}: torn tail at offset {} ({}, {} bytes) ignored: a crash interrupted the last write, whose commit had not returned",
                        file, offset, reason, end - offset);
                return offset;
            }
            if (version == 1) {
                throw corrupt(file, offset, reason + ", with a valid record at offset " + later + " after it");
            }
            long acknowledged = -1;
            int ignored = 0;
            for (int o = later; o >= 0; ) {
                Valid v = (Valid) data.frame(o);
                if (v.type() == RecordCodec.MARK) {
                    acknowledged = Math.max(acknowledged, (Long) v.record());
                } else {
                    ignored++;
                }
                int next = o + v.size();
                o = next < end && data.frame(next) instanceof Valid ? next : findValidFrameAfter(data, next, end);
            }
            if (acknowledged > offset) {
                throw corrupt(file, offset, reason + ", before offset " + acknowledged + ", up to which a write after it says the log"
                        + " had been forced and acknowledged; a valid record at offset " + later + " follows");
            }
            log.warn("{}: torn write at offset {} ({}) ignored with the {} valid records after it, up to offset {}: a crash interrupted"
                    + " the last write, which was never forced, so none of its decisions had been acknowledged", file, offset, reason,
                    ignored, end);
            return offset;
        }
        return offset;
    }

    /** The segment format of a header: 2, 1 (still read), or 0 if {@code data} does not start with one. */
    private static int version(SegmentWindow data) throws IOException {
        if (startsWith(data, MAGIC)) {
            return 2;
        }
        return startsWith(data, MAGIC_V1) ? 1 : 0;
    }

    private void apply(Valid v) {
        records++;
        switch (v.type()) {
            case RecordCodec.COMMIT -> {
                CommitRecord c = (CommitRecord) v.record();
                pending.put(c.gtrid(), c);
            }
            case RecordCodec.COMPLETED -> pending.remove((Gtrid) v.record());
            case RecordCodec.HEURISTIC -> {
                HeuristicRecord h = (HeuristicRecord) v.record();
                heuristics.computeIfAbsent(h.gtrid(), g -> new ArrayList<>()).add(h);
            }
            case RecordCodec.RESOLVED -> heuristics.remove((Gtrid) v.record());
            case RecordCodec.MARK -> records--; // framing, not state
            default -> throw new IllegalStateException("type " + v.type());
        }
    }

    /** The offset of the first valid frame that starts after {@code offset} and before {@code limit}, or -1. */
    private static int findValidFrameAfter(SegmentWindow data, int offset, int limit) throws IOException {
        for (int o = offset + 1; o + RecordCodec.FRAME_HEADER < limit; o++) {
            int length = data.intAt(o);
            if (length <= 0 || length > RecordCodec.MAX_RECORD || length > data.size() - o - RecordCodec.FRAME_HEADER) {
                continue;
            }
            byte type = data.byteAt(o + RecordCodec.FRAME_HEADER);
            if (type < RecordCodec.COMMIT || type > RecordCodec.MARK) {
                continue;
            }
            if (data.frame(o) instanceof Valid) {
                return o;
            }
        }
        return -1;
    }

    private static boolean startsWith(SegmentWindow data, byte[] magic) throws IOException {
        for (int i = 0; i < magic.length; i++) {
            if (data.byteAt(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** A header cut short: the bytes present are the start of a magic (the segment number may be partly there). */
    private static boolean startsWithMagicPrefix(SegmentWindow data) throws IOException {
        if (data.size() == 0) {
            return false;
        }
        for (byte[] magic : new byte[][] {MAGIC, MAGIC_V1}) {
            boolean prefix = true;
            for (int i = 0; i < Math.min(data.size(), magic.length); i++) {
                if (data.byteAt(i) != magic[i]) {
                    prefix = false;
                    break;
                }
            }
            if (prefix) {
                return true;
            }
        }
        return false;
    }

    private static JournalException corrupt(Path file, int offset, String reason) {
        return new JournalException("Recovery log " + file.toAbsolutePath() + " is corrupt at offset " + offset + " (" + reason
                + "). Pledge will not start on a log it cannot trust, because that could commit or roll back in-doubt branches"
                + " wrongly. Restore the directory from a backup, or move it aside after resolving the in-doubt transactions"
                + " by hand ('pledge log inspect' lists what the readable part holds).");
    }
}
