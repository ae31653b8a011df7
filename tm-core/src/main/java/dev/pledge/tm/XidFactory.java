package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the gtrids of one service: {@code node | ':' | boot id | sequence}. The boot id is new
 * for every service instance (start time and randomness), so a restarted node never reuses a
 * gtrid its log may still hold.
 */
final class XidFactory {
    /** Node names are limited so that a gtrid stays within the 64 bytes XA allows. */
    static final int MAX_NODE_NAME_BYTES = Gtrid.MAXIMUM_NODE_NAME_BYTES;

    private final byte[] prefix;
    private final int nodeLength;
    private final AtomicLong sequence = new AtomicLong();

    XidFactory(String nodeName) {
        byte[] node = nodeName.getBytes(StandardCharsets.UTF_8);
        this.nodeLength = node.length;
        long bootId = (System.currentTimeMillis() << 20) ^ (new SecureRandom().nextInt() & 0xFFFFF);
        this.prefix = Arrays.copyOf(node, node.length + 9);
        prefix[node.length] = ':';
        putLong(prefix, node.length + 1, bootId);
    }

    byte[] nodeNameBytes() {
        return Arrays.copyOf(prefix, nodeLength);
    }

    Gtrid newGtrid() {
        byte[] bytes = Arrays.copyOf(prefix, prefix.length + 8);
        putLong(bytes, prefix.length, sequence.incrementAndGet());
        return new Gtrid(bytes);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
