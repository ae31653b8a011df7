package dev.pledge.tm.log.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP proxy in front of a database server that a test can make fail at chosen moments:
 * cut the connection on which the client sends the next {@code COMMIT} of a transaction that
 * inserted decisions (or a decision insert sent outside a transaction, which commits by itself) (not that of a lease renewal or of deleted completions), either after forwarding it
 * and the server's answer has come back (the commit happened; the client never learns it) or before
 * forwarding it (the server never sees it and rolls back when the connection drops); or refuse
 * every connection for a while (the database is down).
 */
public final class CuttingProxy implements AutoCloseable {
    public enum Cut {
        /** The COMMIT reaches the server and is answered; the answer is dropped and the connection cut. */
        AFTER_COMMIT_REACHED_SERVER,
        /** The COMMIT is dropped and the connection cut: the server rolls the transaction back. */
        BEFORE_COMMIT_REACHED_SERVER
    }

    private final ServerSocket server;
    private final int targetPort;
    private final AtomicReference<Cut> armed = new AtomicReference<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean down;
    private volatile boolean downAtCut;
    private volatile int cuts;

    public CuttingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "proxy-accept-" + targetPort);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next COMMIT sent through the proxy is cut this way. */
    public void arm(Cut cut) {
        armed.set(cut);
    }

    /** The same, and the proxy goes down at the cut (until {@link #setDown}{@code (false)}). */
    public void armThenDown(Cut cut) {
        downAtCut = true;
        armed.set(cut);
    }

    /** Whether the proxy is down. */
    public boolean isDown() {
        return down;
    }

    /** How many COMMITs were cut so far. */
    public int cuts() {
        return cuts;
    }

    /** Down: every connection is cut and new ones are closed at once; up again: connections pass. */
    public void setDown(boolean down) {
        this.down = down;
        if (down) {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Link link = new Link(client, upstream);
                start("proxy-up", () -> link.clientToServer());
                start("proxy-down", () -> link.serverToClient());
            } catch (IOException e) {
                if (!server.isClosed()) {
                    e.printStackTrace();
                }
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private final class Link {
        final Socket client;
        final Socket upstream;
        /** Set once the COMMIT went through: the server's next answer is dropped and both sides are cut. */
        volatile boolean cutOnAnswer;
        /** Whether the transaction in progress on this connection inserted decisions: only its COMMIT is cut (not a lease renewal's). */
        boolean decisionsSent;
        /** Whether the client sent BEGIN and no COMMIT or ROLLBACK since (pgjdbc's explicit transactions; MariaDB's are implicit). */
        boolean inTransaction;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void clientToServer() {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (containsWord(buf, n, BEGIN)) {
                        inTransaction = true;
                    }
                    boolean decisions = contains(buf, n, DECISION_INSERT);
                    if (decisions) {
                        decisionsSent = true;
                    }
                    // a decision insert sent outside a transaction (PostgreSQL's one-trip batch) is its own COMMIT
                    boolean commit = containsCommit(buf, n) || decisions && !inTransaction && contains(buf, n, CHECKED_INSERT);
                    if (commit || containsWord(buf, n, ROLLBACK)) {
                        inTransaction = false;
                    }
                    Cut cut = armed.get();
                    boolean decisionCommit = commit && decisionsSent;
                    if (commit) {
                        decisionsSent = false;
                    }
                    if (cut != null && decisionCommit && armed.compareAndSet(cut, null)) {
                        if (downAtCut) {
                            down = true; // new connections are refused from now on; this one is cut below
                            downAtCut = false;
                        }
                        cuts++;
                        if (cut == Cut.BEFORE_COMMIT_REACHED_SERVER) {
                            cut();
                            return;
                        }
                        cutOnAnswer = true;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed
            } finally {
                cut();
            }
        }

        void serverToClient() {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (cutOnAnswer) {
                        cut(); // the server has answered the COMMIT: it committed; the client never hears it
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed
            } finally {
                cut();
            }
        }

        void cut() {
            closeQuietly(client);
            closeQuietly(upstream);
            sockets.remove(client);
            sockets.remove(upstream);
        }
    }

    /** PostgreSQL's one-statement batch (a data-modifying CTE); MariaDB's implicit transactions send no BEGIN, and no CTE. */
    private static final byte[] CHECKED_INSERT = "WITH n AS (UPDATE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DECISION_INSERT = "decision (gtrid".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static boolean contains(byte[] b, int n, byte[] w) {
        outer:
        for (int i = 0; i + w.length <= n; i++) {
            for (int k = 0; k < w.length; k++) {
                if (b[i + k] != w[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether the bytes hold the word COMMIT (any case) not inside a longer name ("autocommit", "decision_was_commit"). */
    static boolean containsCommit(byte[] b, int n) {
        return containsWord(b, n, COMMIT);
    }

    private static final byte[] COMMIT = {'c', 'o', 'm', 'm', 'i', 't'};
    private static final byte[] BEGIN = {'b', 'e', 'g', 'i', 'n'};
    private static final byte[] ROLLBACK = {'r', 'o', 'l', 'l', 'b', 'a', 'c', 'k'};

    /** Whether the bytes hold the lower-case word {@code w} in any case, not inside a longer name. */
    static boolean containsWord(byte[] b, int n, byte[] w) {
        outer:
        for (int i = 0; i + w.length <= n; i++) {
            for (int k = 0; k < w.length; k++) {
                if (Character.toLowerCase(b[i + k]) != w[k]) {
                    continue outer;
                }
            }
            boolean before = i > 0 && isWordByte(b[i - 1]);
            boolean after = i + w.length < n && isWordByte(b[i + w.length]);
            if (!before && !after) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordByte(byte c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
