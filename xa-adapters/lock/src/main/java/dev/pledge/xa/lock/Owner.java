package dev.pledge.xa.lock;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Who holds locks: one global transaction, identified by its gtrid (so every branch and every
 * thread of a transaction share its locks). {@code age} orders the transactions this process
 * has seen (smaller = older) for the choice of a deadlock victim; owners only known from a
 * lock record (another process, a recovered branch) have age {@link Long#MIN_VALUE}.
 */
final class Owner {
    private static final HexFormat HEX = HexFormat.of();
    /** Pledge gtrids end with ':' and 16 bytes of boot id and sequence. */
    private static final int PLEDGE_SUFFIX = 17;

    private final String id;
    private final String display;
    private final long age;

    private Owner(String id, String display, long age) {
        this.id = id;
        this.display = display;
        this.age = age;
    }

    static Owner of(byte[] gtrid, long age) {
        return new Owner(HEX.formatHex(gtrid), readable(gtrid), age);
    }

    /** An owner seen only through its hex id (a ZooKeeper node name). */
    static Owner ofId(String hexId) {
        return new Owner(hexId, readable(HEX.parseHex(hexId)), Long.MIN_VALUE);
    }

    /** Hex of the gtrid: the identity, safe in file and node names. */
    String id() {
        return id;
    }

    long age() {
        return age;
    }

    private static String readable(byte[] g) {
        int n = g.length - PLEDGE_SUFFIX;
        if (n > 0 && g[n] == ':') {
            return new String(g, 0, n, StandardCharsets.UTF_8) + ':' + HEX.formatHex(g, n + 1, g.length);
        }
        return HEX.formatHex(g);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Owner other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** The transaction id as Pledge prints it ({@code node:hex}). */
    @Override
    public String toString() {
        return display;
    }
}
