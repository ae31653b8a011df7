package dev.pledge.tm.log.file;

import dev.pledge.tm.log.JournalException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Who may touch a log directory: the log trusts its directory with every decision, so whoever can
 * write there can forge decisions or point a file at another one. The directory must belong to the
 * service's user and be writable by nobody else; its files are opened without following symbolic
 * links and created owner-only, whatever the umask. Public for Pledge's other durable stores (the
 * in-process lock service's prepared locks), which need the same guarantees; not an application API.
 */
public final class LogFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private LogFiles() {
    }

    /** Creates {@code dir} owner-only ({@code rwx------}) if it is absent, then {@link #requireTrusted checks} it. */
    public static void createTrustedDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // made meanwhile: checked below like any existing one
                }
            } else {
                Files.createDirectories(dir);
            }
        }
        requireTrusted(dir);
    }

    /** Opens {@code file} as {@link FileChannel#open} does, but never through a link, and creates it owner-only. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(Arrays.asList(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attributes = posix && all.contains(StandardOpenOption.CREATE)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
        FileChannel ch = FileChannel.open(file, all, attributes);
        if (posix && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            ch.close();
            throw new IOException(file + " is not a regular file (a device, FIFO or socket): the log opens only its own files");
        }
        return ch;
    }

    /**
     * Fails, with the fix, when {@code dir} (after links) is not owned by this process's user or is
     * writable by its group or by others.
     */
    public static void requireTrusted(Path dir) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        PosixFileAttributes a;
        UserPrincipal me;
        try {
            Path real = dir.toRealPath();
            a = Files.readAttributes(real, PosixFileAttributes.class);
            me = currentUser(real);
        } catch (IOException e) {
            throw new JournalException("Cannot read the owner and mode of recovery log directory " + dir + ": " + e, e);
        }
        if (me != null && !a.owner().getName().equals(me.getName())) {
            throw new JournalException("Recovery log directory " + dir + " belongs to " + a.owner().getName() + ", not to "
                    + me.getName() + " who runs this service: whoever owns it can forge or delete commit decisions. Use a directory of"
                    + " this user (chown " + me.getName() + " " + dir + ")");
        }
        Set<PosixFilePermission> mode = a.permissions();
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new JournalException("Recovery log directory " + dir + " is writable by " + (mode.contains(PosixFilePermission.OTHERS_WRITE)
                    ? "every user" : "its group") + " (mode " + PosixFilePermissions.toString(mode) + "): anyone who can write there can forge"
                    + " or delete commit decisions. Fix it with chmod go-w " + dir);
        }
    }

    /** The user this process runs as, as the file system names it: the owner of a file it creates. */
    private static UserPrincipal currentUser(Path dir) throws IOException {
        String name = System.getProperty("user.name");
        try {
            return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // no such user in the name service (a container with an arbitrary uid): the mode check still holds
        }
    }
}
