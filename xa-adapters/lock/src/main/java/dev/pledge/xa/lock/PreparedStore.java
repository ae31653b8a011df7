package dev.pledge.xa.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.transaction.xa.Xid;

/**
 * Prepared grants of the in-process backend on disk: one small file per prepared branch,
 * written to a temporary name, forced, renamed into place and the directory forced, so a
 * branch is either fully recorded or not at all. Commit or rollback deletes the file.
 */
final class PreparedStore {
    private static final String SUFFIX = ".prepared";
    private static final String HEADER = "pledge-lock-prepared 1";
    private static final String TOKEN_MARK = "fencing-tokens.mark";
    /** More than any record holds (a transaction's grants, one line each): a larger file is not one of this store's. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    /** A grant as recorded. */
    record Grant(String key, LockMode mode, long token) {
    }

    /** One file's content. */
    record Branch(Xid xid, List<Grant> grants) {
    }

    private final Path dir;

    PreparedStore(Path dir) throws IOException {
        this.dir = dir;
        // the prepared locks decide what the next holder may see: only the service's user may write here
        dev.pledge.tm.log.file.LogFiles.createTrustedDirectory(dir);
    }

    Path directory() {
        return dir;
    }

    void write(Xid xid, List<Grant> grants) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append("xid ").append(Xids.encode(xid)).append('\n');
        for (Grant g : grants) {
            sb.append("grant ").append(g.mode().code()).append(' ').append(g.token()).append(' ')
                    .append(Base64.getUrlEncoder().withoutPadding().encodeToString(g.key().getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        Path target = file(xid);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = dev.pledge.tm.log.file.LogFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.UTF_8.encode(sb.toString()));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
    }

    /** The fencing-token high-water mark recorded by {@link #writeTokenMark}, or 0 if none was. */
    long readTokenMark() throws IOException {
        Path f = dir.resolve(TOKEN_MARK);
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        String text = read(f).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("not a fencing-token mark in " + f + ": " + text, e);
        }
    }

    /** Records durably that no fencing token above {@code mark} has been handed out (written, forced, renamed). */
    void writeTokenMark(long mark) throws IOException {
        Path target = dir.resolve(TOKEN_MARK);
        Path tmp = dir.resolve(TOKEN_MARK + ".tmp");
        try (FileChannel ch = dev.pledge.tm.log.file.LogFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.UTF_8.encode(mark + "\n"));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
    }

    /** Deletes the record of {@code xid}; true if there was one. */
    boolean delete(Xid xid) throws IOException {
        try {
            Files.delete(file(xid));
        } catch (NoSuchFileException e) {
            return false;
        }
        forceDirectory();
        return true;
    }

    List<Branch> loadAll() throws IOException {
        List<Branch> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                all.add(parse(f, read(f).lines().toList()));
            }
        }
        return all;
    }

    /**
     * Reads one of this store's files as the recovery log reads its own: only a regular file (a FIFO
     * would hang the start), never through a link, and none larger than a record can be.
     */
    private static String read(Path f) throws IOException {
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(f + " is not a regular file (a link, device, FIFO or socket): the lock store reads only its own files");
        }
        try (FileChannel ch = dev.pledge.tm.log.file.LogFiles.open(f, StandardOpenOption.READ)) {
            if (ch.size() > MAX_FILE_BYTES) {
                throw new IOException("not a prepared lock record: " + f + " holds " + ch.size() + " bytes, more than " + MAX_FILE_BYTES);
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // until the end of the file
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    private static Branch parse(Path f, List<String> lines) throws IOException {
        if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("xid ")) {
            throw new IOException("not a prepared lock record: " + f);
        }
        Xid xid = Xids.decode(lines.get(1).substring(4));
        List<Grant> grants = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] p = line.split(" ");
            if (p.length != 4 || !p[0].equals("grant")) {
                throw new IOException("bad line in prepared lock record " + f + ": " + line);
            }
            String key = new String(Base64.getUrlDecoder().decode(p[3]), StandardCharsets.UTF_8);
            grants.add(new Grant(key, LockMode.ofCode(p[1].charAt(0)), Long.parseLong(p[2])));
        }
        return new Branch(xid, grants);
    }

    private Path file(Xid xid) {
        return dir.resolve(Xids.encode(xid) + SUFFIX);
    }

    private void forceDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems do not allow forcing a directory; the rename is still atomic
        }
    }
}
