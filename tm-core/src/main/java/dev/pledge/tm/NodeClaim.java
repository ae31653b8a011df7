package dev.pledge.tm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live service's claim on its node name on this host: an exclusive OS lock on
 * {@code <directory>/<name>.lock}, held from build to close (the OS drops it when the process dies).
 * Two live services with one node name would each take the other's prepared branches for their own
 * crashed work and roll them back; the claim refuses the second one. It covers services of one
 * user on one host (the default node name is the host name, so that is where duplicates arise by
 * default); across hosts the node name must be unique per log by configuration.
 * <p>
 * POSIX locks belong to the process, so services of one JVM are kept apart by a JVM-wide set of
 * the lock files held, as {@link FileJournal} does for log directories.
 */
final class NodeClaim implements AutoCloseable {
    /** System property naming the directory of the claims (tests point it into their build directory). */
    static final String DIRECTORY_PROPERTY = "pledge.nodeLockDirectory";
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private NodeClaim(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The directory used when the builder names none: the system property, else {@code ${user.home}/.pledge/nodes}. */
    static Path defaultDirectory() {
        String p = System.getProperty(DIRECTORY_PROPERTY);
        return p != null && !p.isBlank() ? Path.of(p) : Path.of(System.getProperty("user.home"), ".pledge", "nodes");
    }

    /** Claims {@code node} for a service on {@code logDirectory}, or throws naming the service that holds it. */
    static NodeClaim acquire(Path directory, String node, Path logDirectory) {
        Path file = directory.resolve(fileName(node)).toAbsolutePath().normalize();
        String me = "pid " + ProcessHandle.current().pid() + ", log " + logDirectory.toAbsolutePath().normalize();
        if (!HELD_IN_THIS_JVM.add(file)) {
            throw refused(node, file, "another live transaction service in this JVM", me);
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(directory);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw refused(node, file, "another live process on this host", me);
            }
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            return new NodeClaim(file, ch, lock);
        } catch (IOException | RuntimeException e) {
            HELD_IN_THIS_JVM.remove(file);
            closeQuietly(ch);
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("Could not claim node name '" + node + "' with lock file " + file + ": " + e, e);
        }
    }

    private static IllegalStateException refused(String node, Path file, String where, String me) {
        String holder;
        try {
            holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            holder = "unknown";
        }
        return new IllegalStateException("Node name '" + node + "' is already in use by " + where + " (" + holder + "; lock file "
                + file + "), so this service (" + me + ") must not start: two live services with one node name roll back each"
                + " other's prepared branches in recovery. Give each service its own nodeName(...) (the default is the host name).");
    }

    /** A file name for any node name: safe characters kept, plus a digest when anything had to be replaced. */
    static String fileName(String node) {
        StringBuilder sb = new StringBuilder();
        boolean replaced = false;
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i > 0)) {
                sb.append(c);
            } else {
                sb.append('_');
                replaced = true;
            }
        }
        if (replaced) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
                sb.append('-').append(HexFormat.of().formatHex(d, 0, 8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.append(".lock").toString();
    }

    Path file() {
        return file;
    }

    /**
     * Releases the claim; the file stays (deleting it would let two processes lock two different files of one name).
     * Only the first call does anything: a later one must not free the name for a service that claimed it since.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        } finally {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(file);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
