package dev.pledge.tm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A tiny resource manager for crash tests whose state lives in files, so it outlives a halted
 * coordinator JVM: a prepared branch is a {@code .prepared} file holding its work, a committed one a
 * {@code .committed} file. {@link #hooks} lets a test halt the JVM at a chosen XA call.
 */
final class FileResourceManager {
    private static final HexFormat HEX = HexFormat.of();

    final String name;
    final Path dir;
    /** Called with "prepare:before", "prepare:after", "commit:before", "commit:after" on every branch. */
    volatile Consumer<String> hooks = point -> { };

    FileResourceManager(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Connection connect() {
        return new Connection();
    }

    /** Work items of every committed branch. */
    Set<String> committedWork() throws IOException {
        Set<String> all = new TreeSet<>();
        for (Path p : files(".committed")) {
            Files.readAllLines(p).stream().filter(s -> !s.isBlank()).forEach(all::add);
        }
        return all;
    }

    List<Path> preparedBranches() throws IOException {
        return files(".prepared");
    }

    private List<Path> files(String suffix) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
            ds.forEach(out::add);
        }
        return out;
    }

    private static String key(Xid xid) {
        return Integer.toHexString(xid.getFormatId()) + "-" + HEX.formatHex(xid.getGlobalTransactionId()) + "-"
                + HEX.formatHex(xid.getBranchQualifier());
    }

    private static Xid parse(String key) {
        String[] parts = key.split("-");
        int format = Integer.parseUnsignedInt(parts[0], 16);
        byte[] g = HEX.parseHex(parts[1]);
        byte[] b = HEX.parseHex(parts[2]);
        return new Xid() {
            @Override
            public int getFormatId() {
                return format;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return g.clone();
            }

            @Override
            public byte[] getBranchQualifier() {
                return b.clone();
            }
        };
    }

    private static XAException xa(int code, String message) {
        XAException e = new XAException(message);
        e.errorCode = code;
        return e;
    }

    /** One connection: at most one active branch at a time, its work kept in memory until prepare. */
    final class Connection implements PledgeXAResource, AutoCloseable {
        private Xid active;
        private final List<String> work = new ArrayList<>();

        void write(String item) {
            if (active == null) {
                throw new IllegalStateException("no branch started on " + name);
            }
            work.add(item);
        }

        @Override
        public String resourceName() {
            return name;
        }

        @Override
        public boolean joinable() {
            return false;
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            if (flags != TMNOFLAGS && flags != TMRESUME && flags != TMJOIN) {
                throw xa(XAException.XAER_INVAL, "flags " + flags);
            }
            active = xid;
            if (flags == TMNOFLAGS) {
                work.clear();
            }
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            hooks.accept("prepare:before");
            write(dir.resolve(key(xid) + ".prepared"), work);
            hooks.accept("prepare:after");
            return XA_OK;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            hooks.accept("commit:before");
            Path committed = dir.resolve(key(xid) + ".committed");
            if (onePhase) {
                write(committed, work);
            } else {
                Path prepared = dir.resolve(key(xid) + ".prepared");
                if (!Files.exists(prepared)) {
                    throw xa(Files.exists(committed) ? XAException.XAER_NOTA : XAException.XAER_NOTA, "no prepared branch " + key(xid));
                }
                try {
                    Files.move(prepared, committed, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw xa(XAException.XAER_RMFAIL, e.toString());
                }
            }
            active = null;
            hooks.accept("commit:after");
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            Path prepared = dir.resolve(key(xid) + ".prepared");
            boolean wasActive = active != null && key(active).equals(key(xid));
            active = null;
            work.clear();
            try {
                if (!Files.deleteIfExists(prepared) && !wasActive) {
                    throw xa(XAException.XAER_NOTA, "no branch " + key(xid));
                }
            } catch (IOException e) {
                throw xa(XAException.XAER_RMFAIL, e.toString());
            }
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            if ((flag & TMSTARTRSCAN) == 0) {
                return new Xid[0];
            }
            try {
                List<Xid> out = new ArrayList<>();
                for (Path p : preparedBranches()) {
                    String f = p.getFileName().toString();
                    out.add(parse(f.substring(0, f.length() - ".prepared".length())));
                }
                return out.toArray(new Xid[0]);
            } catch (IOException e) {
                throw xa(XAException.XAER_RMFAIL, e.toString());
            }
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return true;
        }

        @Override
        public void close() {
        }

        private void write(Path target, List<String> lines) throws XAException {
            try {
                Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                Files.write(tmp, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw xa(XAException.XAER_RMFAIL, e.toString());
            }
        }
    }
}
