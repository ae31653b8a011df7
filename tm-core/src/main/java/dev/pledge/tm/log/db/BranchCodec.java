package dev.pledge.tm.log.db;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A decision's branches as one column value, so that a decision is one row and one batched insert:
 * a version byte, then per branch its bqual (1-byte length) and resource name (2-byte length, UTF-8).
 */
final class BranchCodec {
    private static final byte VERSION = 1;

    private BranchCodec() {
    }

    static byte[] encode(List<BranchRecord> branches) {
        List<byte[]> names = new ArrayList<>(branches.size());
        int size = 1 + 2;
        for (BranchRecord b : branches) {
            byte[] name = b.resourceName().getBytes(StandardCharsets.UTF_8);
            if (name.length > 0xFFFF || b.bqual().length > 0xFF) {
                throw new IllegalArgumentException("branch " + b + " is too long to log");
            }
            names.add(name);
            size += 1 + b.bqual().length + 2 + name.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).putShort((short) branches.size());
        for (int i = 0; i < branches.size(); i++) {
            byte[] bqual = branches.get(i).bqual();
            out.put((byte) bqual.length).put(bqual).putShort((short) names.get(i).length).put(names.get(i));
        }
        return out.array();
    }

    static List<BranchRecord> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown branch-list encoding version " + version);
        }
        int n = Short.toUnsignedInt(in.getShort());
        List<BranchRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] bqual = new byte[Byte.toUnsignedInt(in.get())];
            in.get(bqual);
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            out.add(new BranchRecord(bqual, new String(name, StandardCharsets.UTF_8)));
        }
        return out;
    }
}
