package dev.pledge.tm.log;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A global transaction id: the bytes of an Xid's gtrid, comparable by content.
 * Layout of Pledge's own: {@code node-name UTF-8 | ':' | 8 bytes boot id | 8 bytes sequence}.
 */
public final class Gtrid {
    public static final int SUFFIX_LENGTH = 1 + 16;
    /** XA allows 64 bytes of gtrid; the suffix takes 17. */
    public static final int MAXIMUM_NODE_NAME_BYTES = 64 - SUFFIX_LENGTH;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    public Gtrid(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Gtrid of(byte[] bytes) {
        return new Gtrid(bytes.clone());
    }

    public byte[] bytes() {
        return bytes;
    }

    /** True when this gtrid was made by a Pledge node with that name. */
    public boolean isFromNode(byte[] nodeName) {
        int n = bytes.length - SUFFIX_LENGTH;
        return n == nodeName.length
                && bytes[n] == ':'
                && Arrays.equals(bytes, 0, n, nodeName, 0, n);
    }

    /** Readable form {@code node:hex}; for a foreign gtrid plain hex. Parsed back by {@link #parse}. */
    @Override
    public String toString() {
        int n = bytes.length - SUFFIX_LENGTH;
        if (n > 0 && bytes[n] == ':') {
            return new String(bytes, 0, n, StandardCharsets.UTF_8) + ':' + HEX.formatHex(bytes, n + 1, bytes.length);
        }
        return HEX.formatHex(bytes);
    }

    public static Gtrid parse(String text) {
        int colon = text.lastIndexOf(':');
        try {
            if (colon < 0) {
                return new Gtrid(HEX.parseHex(text));
            }
            byte[] node = text.substring(0, colon).getBytes(StandardCharsets.UTF_8);
            byte[] suffix = HEX.parseHex(text.substring(colon + 1));
            if (suffix.length != SUFFIX_LENGTH - 1) {
                throw new IllegalArgumentException("expected 32 hex digits after ':' in transaction id '" + text + "'");
            }
            byte[] all = Arrays.copyOf(node, node.length + SUFFIX_LENGTH);
            all[node.length] = ':';
            System.arraycopy(suffix, 0, all, node.length + 1, suffix.length);
            return new Gtrid(all);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a transaction id: '" + text + "' (expected node:32-hex-digits): " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gtrid g && g.hash == hash && Arrays.equals(g.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
