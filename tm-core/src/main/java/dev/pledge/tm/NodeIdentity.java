package dev.pledge.tm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node name a log directory belongs to, kept in the file {@value #FILE} next to the journal:
 * written (and forced) at the first start, checked at every later one. A log only its own node
 * name can recover: recovery sees the Xids of its own names only, so a service that starts under
 * another name on the same log would leave the old name's decided branches prepared, and once
 * restarted under the old name, roll them back. A different name is refused unless the builder
 * says the rename is intended ({@link TransactionService.Builder#renamedFrom}); then the file gets
 * the new name.
 */
final class NodeIdentity {
    static final String FILE = "node-name";
    private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

    private NodeIdentity() {
    }

    /** Checks (or records) that {@code directory}'s log belongs to {@code node}; call with the log open (its lock held). */
    static void check(Path directory, String node, Set<String> renamedFrom, boolean fsync) {
        Path file = directory.resolve(FILE);
        String recorded;
        try {
            recorded = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the node name of the log from " + file.toAbsolutePath() + ": " + e, e);
        }
        if (node.equals(recorded)) {
            return;
        }
        if (recorded != null && !recorded.isEmpty() && !renamedFrom.contains(recorded)) {
            throw new IllegalStateException("The recovery log in " + directory.toAbsolutePath() + " belongs to node name '" + recorded
                    + "' (file " + file.toAbsolutePath() + "), but this service starts as '" + node + "'. Recovery only finishes"
                    + " transactions of its own node name, so the decisions and prepared branches of '" + recorded + "' would be"
                    + " left in doubt, and rolled back once '" + recorded + "' starts again. Start with nodeName(\"" + recorded
                    + "\") (the default node name is the host name: set it explicitly in containers), or, if this node was renamed"
                    + " on purpose, add renamedFrom(\"" + recorded + "\") so that it recovers the transactions of both names.");
        }
        if (recorded != null && !recorded.isEmpty()) {
            log.warn("Node '{}' takes over the recovery log in {} from its former name '{}' (renamedFrom); keep renamedFrom(\"{}\")"
                    + " until a recovery pass reports clean", node, directory.toAbsolutePath(), recorded, recorded);
        }
        write(file, node, fsync);
    }

    private static void write(Path file, String node, boolean fsync) {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap((node + "\n").getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                if (fsync) {
                    ch.force(true);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (fsync) {
                try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                    dir.force(true);
                } catch (IOException e) {
                    log.debug("forcing directory {} is not supported: {}", file.getParent(), e.toString());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not record the node name '" + node + "' of the log in " + file.toAbsolutePath() + ": " + e, e);
        }
    }
}
