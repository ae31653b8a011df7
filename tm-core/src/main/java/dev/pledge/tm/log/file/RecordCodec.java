package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The journal's on-disk record format. A frame is
 * {@code int length | int crc32c | byte type | payload}, where length counts type and payload and
 * the checksum covers them. Strings and byte arrays are {@code short length | bytes}.
 * <p>
 * Since segment format 2 every write-out begins with a {@link #MARK} record whose payload is
 * {@code long acknowledged}: the segment offset up to which the log had been forced (written, with
 * fsync disabled) and so acknowledged to committers before this write. Replay uses it to tell a
 * torn last write from damage.
 */
final class RecordCodec {
    static final byte COMMIT = 1;
    static final byte COMPLETED = 2;
    static final byte HEURISTIC = 3;
    static final byte RESOLVED = 4;
    /** The write-out mark of segment format 2; see the class comment. */
    static final byte MARK = 5;

    static final int FRAME_HEADER = 8;
    /** Bytes of a {@link #MARK} record, frame included: every write-out reserves them at its start. */
    static final int MARK_SIZE = FRAME_HEADER + 1 + 8;
    /** No record may be longer; also bounds the search for valid frames after damage. */
    static final int MAX_RECORD = 64 * 1024;

    private RecordCodec() {
    }

    /** Appends one framed record to the heap buffer {@code buf}, which must have room for it. */
    static void encodeCommit(ByteBuffer buf, CommitRecord r, CRC32C crc) {
        int start = begin(buf, COMMIT);
        buf.putLong(r.decidedAtMillis());
        putBytes(buf, r.gtrid().bytes());
        List<BranchRecord> branches = r.branches();
        buf.putShort((short) branches.size());
        for (int i = 0; i < branches.size(); i++) {
            BranchRecord b = branches.get(i);
            putBytes(buf, b.bqual());
            putString(buf, b.resourceName());
        }
        end(buf, start, crc);
    }

    static void encodeCompleted(ByteBuffer buf, Gtrid gtrid, CRC32C crc) {
        int start = begin(buf, COMPLETED);
        putBytes(buf, gtrid.bytes());
        end(buf, start, crc);
    }

    static void encodeHeuristic(ByteBuffer buf, HeuristicRecord h, CRC32C crc) {
        int start = begin(buf, HEURISTIC);
        putBytes(buf, h.gtrid().bytes());
        putBytes(buf, h.branch().bqual());
        putString(buf, h.branch().resourceName());
        buf.putInt(h.xaCode());
        buf.put((byte) (h.decisionWasCommit() ? 1 : 0));
        buf.putLong(h.atMillis());
        end(buf, start, crc);
    }

    /** Encodes the write-out mark at the buffer's position; it takes exactly {@link #MARK_SIZE} bytes. */
    static void encodeMark(ByteBuffer buf, long acknowledged, CRC32C crc) {
        int start = begin(buf, MARK);
        buf.putLong(acknowledged);
        end(buf, start, crc);
    }

    static void encodeResolved(ByteBuffer buf, Gtrid gtrid, CRC32C crc) {
        int start = begin(buf, RESOLVED);
        putBytes(buf, gtrid.bytes());
        end(buf, start, crc);
    }

    /** Upper bound of a commit record's frame, to check it fits before encoding. */
    static int commitSize(CommitRecord r) {
        int size = FRAME_HEADER + 1 + 8 + 2 + r.gtrid().bytes().length + 2;
        for (BranchRecord b : r.branches()) {
            size += 2 + b.bqual().length + 2 + 3 * b.resourceName().length();
        }
        return size;
    }

    /** How many commit records the frames of {@code buf} from {@code from} to {@code to} hold. */
    static int countCommits(ByteBuffer buf, int from, int to) {
        int n = 0;
        for (int p = from; p < to; p += FRAME_HEADER + buf.getInt(p)) {
            if (buf.get(p + FRAME_HEADER) == COMMIT) {
                n++;
            }
        }
        return n;
    }

    private static int begin(ByteBuffer buf, byte type) {
        int start = buf.position();
        buf.position(start + FRAME_HEADER);
        buf.put(type);
        return start;
    }

    /** Fills in length and checksum; {@code buf} is a heap buffer so no copy is needed. */
    private static void end(ByteBuffer buf, int start, CRC32C crc) {
        int endPos = buf.position();
        int length = endPos - start - FRAME_HEADER;
        crc.reset();
        crc.update(buf.array(), buf.arrayOffset() + start + FRAME_HEADER, length);
        buf.putInt(start, length);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    private static void putBytes(ByteBuffer buf, byte[] b) {
        buf.putShort((short) b.length);
        buf.put(b);
    }

    private static void putString(ByteBuffer buf, String s) {
        putBytes(buf, s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ decoding

    /** What a frame at some offset turned out to be. */
    sealed interface Frame {
    }

    /** A valid record of {@code size} bytes in all (header included). */
    record Valid(int size, byte type, Object record) implements Frame {
    }

    /** Not a valid frame; {@code reason} says why. */
    record Invalid(String reason) implements Frame {
    }

    /** Reads the frame starting at {@code offset} of {@code data[0..limit)}. */
    static Frame read(byte[] data, int offset, int limit) {
        if (limit - offset < FRAME_HEADER + 1) {
            return new Invalid("partial frame header");
        }
        ByteBuffer buf = ByteBuffer.wrap(data, offset, limit - offset);
        int length = buf.getInt();
        int crc = buf.getInt();
        if (length <= 0 || length > MAX_RECORD) {
            return new Invalid(length == 0 && crc == 0 ? "zero-filled" : "impossible record length " + length);
        }
        if (length > limit - offset - FRAME_HEADER) {
            return new Invalid("record of " + length + " bytes runs past the end of the file");
        }
        CRC32C c = new CRC32C();
        c.update(data, offset + FRAME_HEADER, length);
        if ((int) c.getValue() != crc) {
            return new Invalid("checksum mismatch");
        }
        ByteBuffer body = ByteBuffer.wrap(data, offset + FRAME_HEADER, length);
        byte type = body.get();
        try {
            Object record = switch (type) {
                case COMMIT -> decodeCommit(body);
                case COMPLETED, RESOLVED -> new Gtrid(getBytes(body));
                case HEURISTIC -> decodeHeuristic(body);
                case MARK -> body.getLong();
                default -> null;
            };
            if (record == null) {
                return new Invalid("unknown record type " + type);
            }
            if (body.hasRemaining()) {
                return new Invalid("record type " + type + " has " + body.remaining() + " unexpected trailing bytes");
            }
            return new Valid(FRAME_HEADER + length, type, record);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return new Invalid("malformed record type " + type);
        }
    }

    private static CommitRecord decodeCommit(ByteBuffer body) {
        long decidedAt = body.getLong();
        Gtrid gtrid = new Gtrid(getBytes(body));
        int n = body.getShort() & 0xFFFF;
        List<BranchRecord> branches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            branches.add(new BranchRecord(getBytes(body), getString(body)));
        }
        return new CommitRecord(gtrid, branches, decidedAt);
    }

    private static HeuristicRecord decodeHeuristic(ByteBuffer body) {
        Gtrid gtrid = new Gtrid(getBytes(body));
        BranchRecord branch = new BranchRecord(getBytes(body), getString(body));
        int code = body.getInt();
        boolean commit = body.get() == 1;
        long at = body.getLong();
        return new HeuristicRecord(gtrid, branch, code, commit, at);
    }

    private static byte[] getBytes(ByteBuffer body) {
        int n = body.getShort() & 0xFFFF;
        if (n > body.remaining()) {
            throw new IllegalArgumentException("length " + n);
        }
        byte[] b = new byte[n];
        body.get(b);
        return b;
    }

    private static String getString(ByteBuffer body) {
        return new String(getBytes(body), StandardCharsets.UTF_8);
    }
}
