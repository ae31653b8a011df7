package dev.pledge.xa.lock;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.imps.ProtectedUtils;

/**
 * A lock request node in a key's ZooKeeper directory: {@code <mode>_<gtrid hex>_<sequence>},
 * as created (ephemeral, sequential, possibly with Curator's protection prefix), or with
 * {@code _p} appended for the persistent record that replaces it at prepare (same sequence,
 * so it keeps its place in the queue).
 */
record ZkNode(String name, Owner owner, LockMode mode, long sequence, boolean prepared) implements QueueRule.Entry {
    static final String PREPARED_SUFFIX = "_p";

    /** The prefix to create a sequential request node with. */
    static String prefix(LockMode mode, Owner owner) {
        return mode.code() + "_" + owner.id() + "_";
    }

    /** Parses a child name; null for anything that is not a lock request node. */
    static ZkNode parse(String name) {
        String n = ProtectedUtils.normalize(name);
        boolean prepared = n.endsWith(PREPARED_SUFFIX);
        if (prepared) {
            n = n.substring(0, n.length() - PREPARED_SUFFIX.length());
        }
        String[] parts = n.split("_");
        if (parts.length != 3 || parts[0].length() != 1 || parts[2].isEmpty()) {
            return null;
        }
        try {
            return new ZkNode(name, Owner.ofId(parts[1]), LockMode.ofCode(parts[0].charAt(0)), Long.parseLong(parts[2]), prepared);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Name of the persistent record that stands for request node {@code name} once prepared. */
    static String preparedName(String name) {
        return ProtectedUtils.normalize(name) + PREPARED_SUFFIX;
    }

    /** A key as a directory name: URL-encoded (no '/'), prefixed so it is never "." or "..". */
    static String keyDirectory(String key) {
        return "k-" + URLEncoder.encode(key, StandardCharsets.UTF_8);
    }

    static String keyOf(String directory) {
        return URLDecoder.decode(directory.substring(2), StandardCharsets.UTF_8);
    }
}
