package dev.pledge.tm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Fits a host name (a pod's name) to a node name: no ':', at most the Xid's limit, shortened deterministically. */
final class NodeNames {
    private static final int HASH_CHARS = 8;

    private NodeNames() {
    }

    /**
     * {@code host} with ':' replaced; if it is longer than {@link XidFactory#MAX_NODE_NAME_BYTES}
     * bytes, its head followed by '-' and 8 hex digits of the SHA-256 of the whole name, so that two
     * long names that share their head stay apart and the same host always gets the same name.
     */
    static String fit(String host) {
        String name = host.isEmpty() ? "pledge" : host.replace(':', '-');
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= XidFactory.MAX_NODE_NAME_BYTES) {
            return name;
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        int room = XidFactory.MAX_NODE_NAME_BYTES - HASH_CHARS - 1;
        String head = new String(b, 0, room, StandardCharsets.UTF_8).replace("\uFFFD", "");
        return head + "-" + hash;
    }
}
