package dev.pledge.xa.lock;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between a ZooKeeper client and the test server that understands just enough of
 * the wire protocol (length-prefixed frames; a request starts with its xid and op type, a reply
 * with its xid) to lose a reply on purpose: {@link #loseNextReplyTo(int)} forwards the next
 * request of that type to the server, lets the server apply it, and instead of the reply
 * closes the connection, so the client sees a connection loss for a request that did happen
 * (and Curator retries it). {@link #blackout()} cuts every connection and refuses new ones
 * until {@link #restore()}: ZooKeeper unreachable, the session still alive on the server.
 */
final class ZkProxy implements Closeable {
    /** ZooKeeper op codes (org.apache.zookeeper.ZooDefs.OpCode). */
    static final int CREATE = 1;
    static final int DELETE = 2;
    static final int MULTI = 14;
    static final int CREATE2 = 15;
    static final int CREATE_CONTAINER = 19;

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger loseType = new AtomicInteger(-1);
    private final AtomicInteger lostReplies = new AtomicInteger();
    private volatile boolean blackedOut;
    private volatile boolean closed;

    ZkProxy(String connectString) throws IOException {
        String[] hp = connectString.split(",")[0].split(":");
        this.target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "zk-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    String connectString() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The reply to the next request of {@code opType} is lost (the request itself reaches the server). */
    void loseNextReplyTo(int opType) {
        loseType.set(opType);
    }

    /** How many replies were lost so far. */
    int lostReplies() {
        return lostReplies.get();
    }

    /** Cuts every connection and refuses new ones: the server is unreachable, the sessions live on. */
    void blackout() {
        blackedOut = true;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    void restore() {
        blackedOut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (blackedOut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                Set<Integer> doomed = ConcurrentHashMap.newKeySet();
                start(() -> pump(client, upstream, true, doomed));
                start(() -> pump(upstream, client, false, doomed));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "zk-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Copies frames; requests of the armed type are noted, and the connection dies instead of their reply. */
    private void pump(Socket from, Socket to, boolean requests, Set<Integer> doomed) {
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            DataOutputStream out = new DataOutputStream(to.getOutputStream());
            boolean first = true; // the connect request and response carry no xid
            while (true) {
                int len = in.readInt();
                byte[] frame = new byte[len];
                in.readFully(frame);
                if (!first && len >= 8) {
                    ByteBuffer b = ByteBuffer.wrap(frame);
                    int xid = b.getInt();
                    if (requests) {
                        int type = b.getInt();
                        if (type == loseType.get() && loseType.compareAndSet(type, -1)) {
                            doomed.add(xid);
                        }
                    } else if (doomed.remove(xid)) {
                        lostReplies.incrementAndGet();
                        closeQuietly(from);
                        closeQuietly(to);
                        return;
                    }
                }
                first = false;
                out.writeInt(len);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        } finally {
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        blackout();
    }
}
