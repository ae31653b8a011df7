package dev.pledge.xa.lock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks in ZooKeeper, shared by every process that uses the same path.
 * <p>
 * Protocol, under {@code root}:
 * <ul>
 * <li>{@code keys/k-<url-encoded key>/} (a container node) holds one request node per lock
 * request, {@code <s|x>_<gtrid hex>_<sequence>}, EPHEMERAL_SEQUENTIAL: the queue of the key in
 * sequence order. The {@link QueueRule} decides from the names alone whether a request is
 * granted; a waiting request watches the nearest earlier node that blocks it and looks again
 * when it goes. The fencing token is the request node's czxid, which grows with every create
 * in the ensemble, so grants of a key (made in sequence order) get growing tokens; when the
 * create's reply is lost (Curator then finds the node by its protected name, without a Stat)
 * the czxid is read back from the node.</li>
 * <li>At prepare, one ZooKeeper multi-operation replaces every ephemeral request node of the
 * transaction with a PERSISTENT node of the same name plus {@code _p} (same place in the queue)
 * and writes {@code prepared/<xid>} listing them. If an ephemeral node is gone (the session
 * expired) the multi fails as a whole and the branch votes {@code XA_RBROLLBACK}.</li>
 * <li>{@code recover()} lists {@code prepared/}, so a coordinator that crashed after prepare
 * finds its locks again; recovery's commit or rollback deletes the nodes and the record.</li>
 * <li>In a live transaction, phase two ({@link #settle}) swaps the persistent nodes back for
 * ephemeral ones of the same sequence and deletes the record in one multi-operation, and the
 * nodes are deleted once the whole transaction has completed ({@link #release}).</li>
 * </ul>
 * Deadlocks among this process's transactions are found through the wait-for graph (the names
 * tell who is ahead); deadlocks across processes end in a {@link LockTimeoutException}.
 */
final class ZooKeeperLockBackend implements LockBackend, ConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLockBackend.class);

    private final CuratorFramework client;
    private final String keysPath;
    private final String preparedPath;
    private final WaitForGraph graph = new WaitForGraph();
    private final ConcurrentHashMap<Owner, Holdings> owners = new ConcurrentHashMap<>();

    ZooKeeperLockBackend(CuratorFramework client, String root) {
        this.client = client;
        this.keysPath = ZKPaths.makePath(root, "keys");
        this.preparedPath = ZKPaths.makePath(root, "prepared");
        try {
            // plain persistent nodes: a container would be removed by the server once empty, and a
            // prepare (whose multi-operation creates a child of "prepared") would then fail
            for (String p : List.of(keysPath, preparedPath)) {
                try {
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(p);
                } catch (KeeperException.NodeExistsException e) {
                    // made by an earlier service
                }
            }
        } catch (Exception e) {
            throw new LockException("Cannot create the lock directories under " + root + " in ZooKeeper", e);
        }
        if (openToAnyone(client, keysPath)) {
            log.warn("The lock nodes under {} can be changed by any client of the ZooKeeper ensemble (ACL world:anyone): another client"
                    + " could delete a transaction's lock node and let a second transaction take the key. Give the Curator client"
                    + " authentication (digest or SASL) and a creator-only ACLProvider (ZooDefs.Ids.CREATOR_ALL_ACL), and TLS on the"
                    + " client port; SECURITY.md shows the setup", root);
        }
        client.getConnectionStateListenable().addListener(this);
    }

    /** Whether the world:anyone ACL of {@code path} lets any client create, change or delete nodes there. */
    static boolean openToAnyone(CuratorFramework client, String path) {
        try {
            for (org.apache.zookeeper.data.ACL acl : client.getACL().forPath(path)) {
                boolean world = "world".equals(acl.getId().getScheme()) && "anyone".equals(acl.getId().getId());
                int writes = org.apache.zookeeper.ZooDefs.Perms.CREATE | org.apache.zookeeper.ZooDefs.Perms.DELETE
                        | org.apache.zookeeper.ZooDefs.Perms.WRITE | org.apache.zookeeper.ZooDefs.Perms.ADMIN;
                if (world && (acl.getPerms() & writes) != 0) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            log.debug("Could not read the ACL of {}: {}", path, e.toString());
            return false;
        }
    }

    /**
     * Whether {@code path}, listed in the prepared record of {@code owner}, is one of that owner's
     * prepared request nodes: {@code keys/<key directory>/<node>} with the owner's gtrid in the name.
     * A record is data anyone with write access to the ensemble could forge; recovery deletes nothing else.
     */
    boolean isPreparedNodeOf(String path, Owner owner) {
        String prefix = keysPath + "/";
        if (!path.startsWith(prefix)) {
            return false;
        }
        String[] parts = path.substring(prefix.length()).split("/", -1);
        if (parts.length != 2 || !parts[0].startsWith("k-") || parts[1].isEmpty() || parts[0].equals(".") || parts[0].equals("..")) {
            return false;
        }
        ZkNode node = ZkNode.parse(parts[1]);
        return node != null && node.prepared() && node.owner().equals(owner);
    }

    static String join(String base, String name) {
        return ZKPaths.makePath(base, name);
    }

    @Override
    public LockGrant acquire(Owner owner, String key, LockMode mode, long timeoutNanos) {
        long started = System.nanoTime();
        Holdings h = owners.computeIfAbsent(owner, o -> new Holdings());
        synchronized (h) {
            Held strongest = h.strongest(key);
            if (strongest != null && strongest.mode.covers(mode)) {
                return strongest.grant();
            }
            if (h.prepared != null || h.settled || h.completing || h.released) {
                throw new IllegalStateException("Transaction " + owner + " is already prepared or completing; it cannot take a lock on '"
                        + key + "'");
            }
            if (h.lost != null) {
                throw new LockException("Transaction " + owner + " lost its locks (" + h.lost + "); roll it back");
            }
        }
        String dir = ZKPaths.makePath(keysPath, ZkNode.keyDirectory(key));
        Stat stat = new Stat();
        String path;
        try {
            path = client.create().storingStatIn(stat).creatingParentContainersIfNeeded().withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(ZKPaths.makePath(dir, ZkNode.prefix(mode, owner)));
        } catch (Exception e) {
            throw new LockException("Cannot queue a " + mode + " lock request on '" + key + "' in ZooKeeper", e);
        }
        long token = stat.getCzxid();
        if (token == 0) {
            // The create's reply was lost and Curator's protected mode found the node by name without its Stat:
            // read it, so the token is the node's real czxid and never smaller than an earlier holder's.
            token = czxidOf(path, key, mode);
        }
        String myName = ZKPaths.getNodeFromPath(path);
        Waiter w = new Waiter(owner);
        synchronized (h) {
            h.waiting.add(w);
            w.cancelled = h.completing || h.released; // the transaction started to complete while the node was created
        }
        boolean granted = false;
        try {
            while (true) {
                checkAborted(w, key, mode);
                List<ZkNode> queue = queue(dir);
                int me = indexOf(queue, myName);
                if (me < 0) {
                    throw new LockException("The " + mode + " lock request on '" + key + "' vanished from ZooKeeper (session expired?)");
                }
                Set<Owner> blockers = QueueRule.blockers(queue, me);
                if (blockers.isEmpty()) {
                    graph.done(w);
                    Held held = new Held(key, mode, path, token, sessionId());
                    synchronized (h) {
                        // refused once prepare, commit or rollback has begun: prepare records exactly what h.held has then
                        if (h.released || h.completing) {
                            throw new LockException("The " + mode + " lock request on '" + key + "' was cancelled: transaction " + owner
                                    + " ended while it waited (it committed or rolled back, perhaps on another thread)");
                        }
                        h.held.add(held);
                    }
                    granted = true;
                    return held.grant();
                }
                graph.waiting(w, blockers);
                checkAborted(w, key, mode);
                long left = started + timeoutNanos - System.nanoTime();
                if (left <= 0) {
                    throw new LockTimeoutException(key, mode, Duration.ofNanos(System.nanoTime() - started), describe(queue, me, blockers));
                }
                ZkNode watched = queue.get(QueueRule.nearestBlocker(queue, me));
                Stat exists = client.checkExists().usingWatcher((CuratorWatcher) event -> w.wake())
                        .forPath(ZKPaths.makePath(dir, watched.name()));
                if (exists != null) {
                    w.await(left);
                }
            }
        } catch (LockException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockException("Interrupted while waiting for a " + mode + " lock on '" + key + "'", e);
        } catch (Exception e) {
            throw new LockException("ZooKeeper failed while waiting for a " + mode + " lock on '" + key + "'", e);
        } finally {
            graph.done(w);
            synchronized (h) {
                h.waiting.remove(w);
            }
            if (!granted) {
                deleteQuietly(path);
            }
        }
    }

    private long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0; // not connected: compared with nothing
        }
    }

    /**
     * Whether a multi-delete of {@code held} that failed with NoNode had in fact applied (its reply
     * lost, Curator's retry finding the nodes gone): only the session that owns an ephemeral node
     * deletes it while the session lives, so if that session is still ours and never lost, and
     * every node is gone, the deletes were ours.
     */
    private boolean deletedByUs(Holdings h, List<Held> held) {
        long session = sessionId();
        synchronized (h) {
            if (h.lost != null) {
                return false;
            }
        }
        try {
            for (Held x : held) {
                if (x.session != session || session == 0 || client.checkExists().forPath(x.path) != null) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The creation zxid of a request node just made, read back; deletes the node if it cannot be read. */
    private long czxidOf(String path, String key, LockMode mode) {
        Stat read;
        try {
            read = client.checkExists().forPath(path);
        } catch (Exception e) {
            deleteQuietly(path);
            throw new LockException("Cannot read back the " + mode + " lock request node " + path + " on '" + key
                    + "' (its create's reply was lost) to take its fencing token", e);
        }
        if (read == null || read.getCzxid() == 0) {
            throw new LockException("The " + mode + " lock request node " + path + " on '" + key + "' vanished right after its create"
                    + " (session expired?)");
        }
        return read.getCzxid();
    }

    /** Throws when the waiting request was chosen as a deadlock victim or its transaction ended. */
    private static void checkAborted(Waiter w, String key, LockMode mode) {
        if (w.victimOf != null) {
            throw new LockDeadlockException(key, mode, w.victimOf);
        }
        if (w.cancelled) {
            throw new LockException("The " + mode + " lock request on '" + key + "' was cancelled: transaction " + w.owner()
                    + " ended while it waited (it committed or rolled back, perhaps on another thread)");
        }
    }

    private List<ZkNode> queue(String dir) throws Exception {
        List<ZkNode> queue = new ArrayList<>();
        for (String child : client.getChildren().forPath(dir)) {
            ZkNode n = ZkNode.parse(child);
            if (n != null) {
                queue.add(n);
            }
        }
        queue.sort(Comparator.comparingLong(ZkNode::sequence));
        return queue;
    }

    private static int indexOf(List<ZkNode> queue, String name) {
        for (int i = 0; i < queue.size(); i++) {
            if (queue.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(List<ZkNode> queue, int me, Set<Owner> blockers) {
        Set<String> parts = new LinkedHashSet<>();
        for (int i = 0; i < me; i++) {
            ZkNode n = queue.get(i);
            if (blockers.contains(n.owner())) {
                String state = n.prepared() ? "prepared" : QueueRule.blockers(queue, i).isEmpty() ? "holding" : "waiting";
                parts.add(n.owner() + " (" + n.mode() + ", " + state + ")");
            }
        }
        return parts.isEmpty() ? "nobody (it was just released)" : String.join(", ", parts);
    }

    @Override
    public int prepare(Owner owner, Xid xid) throws XAException {
        // The entry stays, marked completing, until release() at the transaction's end, so a late request is refused.
        Holdings h = owners.computeIfAbsent(owner, o -> new Holdings());
        List<Held> held;
        synchronized (h) {
            stopRequests(h); // before the vote: another thread of the transaction may still be waiting
            if (h.held.isEmpty()) {
                return XAResource.XA_RDONLY;
            }
            if (h.lost != null) {
                String why = h.lost;
                releaseQuietly(xid);
                throw LockBackend.xa(XAException.XA_RBROLLBACK, "Transaction " + owner + " lost its locks (" + why + ")");
            }
            held = List.copyOf(h.held);
        }
        String record = ZKPaths.makePath(preparedPath, Xids.encode(xid));
        StringBuilder listing = new StringBuilder();
        List<CuratorOp> ops = new ArrayList<>();
        List<String> persistent = new ArrayList<>();
        try {
            for (Held x : held) {
                String p = ZKPaths.makePath(ZKPaths.getPathAndNode(x.path).getPath(), ZkNode.preparedName(ZKPaths.getNodeFromPath(x.path)));
                persistent.add(p);
                listing.append(p).append('\n');
                ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                        .forPath(p, (Xids.encode(xid) + " " + x.token).getBytes(StandardCharsets.UTF_8)));
                ops.add(client.transactionOp().delete().forPath(x.path));
            }
            ops.add(0, client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(record, listing.toString().getBytes(StandardCharsets.UTF_8)));
            client.transaction().forOperations(ops);
        } catch (KeeperException.NoNodeException e) {
            releaseQuietly(xid);
            throw LockBackend.xa(XAException.XA_RBROLLBACK, "Transaction " + owner + " lost a lock before prepare: its ZooKeeper node is gone"
                    + " (the session expired); another transaction may have taken the key", e);
        } catch (Exception e) {
            throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to record the prepared locks of " + xid, e);
        }
        synchronized (h) {
            h.prepared = xid;
            for (int i = 0; i < held.size(); i++) {
                held.get(i).path = persistent.get(i);
            }
        }
        return XAResource.XA_OK;
    }

    @Override
    public void commitOnePhase(Owner owner, Xid xid) throws XAException {
        Holdings h = owners.get(owner);
        if (h == null) {
            return;
        }
        List<Held> held;
        String lost;
        synchronized (h) {
            stopRequests(h);
            h.released = true;
            held = List.copyOf(h.held);
            lost = h.lost;
        }
        if (lost == null) {
            List<CuratorOp> ops = new ArrayList<>();
            try {
                for (Held x : held) {
                    ops.add(client.transactionOp().delete().forPath(x.path));
                }
                if (!ops.isEmpty()) {
                    client.transaction().forOperations(ops);
                }
                owners.remove(owner, h);
                return;
            } catch (KeeperException.NoNodeException e) {
                if (deletedByUs(h, held)) {
                    // our delete applied and its reply was lost; Curator's retry found the nodes gone
                    owners.remove(owner, h);
                    return;
                }
                lost = "a lock node is gone: the ZooKeeper session expired";
            } catch (Exception e) {
                // kept in memory: the release after completion retries the deletes until they succeed
                throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to release the locks of " + xid, e);
            }
        }
        for (Held x : held) {
            deleteQuietly(x.path);
        }
        owners.remove(owner, h);
        throw LockBackend.xa(XAException.XA_RBROLLBACK, "Transaction " + owner + " lost its locks (" + lost + ")");
    }

    @Override
    public boolean commitDecided(Xid xid) throws XAException {
        Holdings h = owners.get(Owner.ofId(Xids.gtridHex(xid)));
        if (h != null) {
            synchronized (h) {
                stopRequests(h);
                if (h.prepared != null) {
                    h.settled = true; // the persistent nodes and the prepared record stay until release()
                    return true;
                }
            }
        }
        try {
            return client.checkExists().forPath(ZKPaths.makePath(preparedPath, Xids.encode(xid))) != null;
        } catch (Exception e) {
            throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to look up the prepared locks of " + xid + "; retry", e);
        }
    }

    /**
     * One multi-operation turns every persistent {@code _p} node back into an ephemeral node of
     * the same sequence (so the same place in the queue) and deletes the prepared record: the keys
     * stay held, and a crash now frees them with the session instead of leaving them to recovery.
     */
    @Override
    public boolean settle(Xid xid) throws XAException {
        Holdings h = owners.get(Owner.ofId(Xids.gtridHex(xid)));
        if (h == null) {
            return release(xid); // nothing held here: only a prepared record can be left, and nobody waits for this process
        }
        List<Held> held;
        synchronized (h) {
            stopRequests(h); // a rollback without prepare: another thread of the transaction may still wait
            h.settled = true;
            if (h.prepared == null) {
                return true; // never prepared: its nodes are ephemeral already
            }
            held = List.copyOf(h.held);
        }
        String record = ZKPaths.makePath(preparedPath, Xids.encode(xid));
        List<CuratorOp> ops = new ArrayList<>();
        List<String> live = new ArrayList<>();
        try {
            for (Held x : held) {
                ZKPaths.PathAndNode pn = ZKPaths.getPathAndNode(x.path);
                if (!pn.getNode().endsWith(ZkNode.PREPARED_SUFFIX)) {
                    live.add(x.path); // not in the prepared record (never happens since grants stop at prepare): already ephemeral
                    continue;
                }
                String name = pn.getNode().substring(0, pn.getNode().length() - ZkNode.PREPARED_SUFFIX.length());
                String p = ZKPaths.makePath(pn.getPath(), name);
                live.add(p);
                ops.add(client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(p));
                ops.add(client.transactionOp().delete().forPath(x.path));
            }
            ops.add(client.transactionOp().delete().forPath(record));
            client.transaction().forOperations(ops);
        } catch (Exception e) {
            // The multi is all or nothing, but its reply may have been lost (Curator's retry then fails with
            // NodeExists, or the connection stays down): read back what ZooKeeper has before answering.
            Boolean applied = settleApplied(record, held, live, e);
            if (applied == null) {
                release(xid); // neither: recovery (in another process) got there first and released them
                return false;
            }
            if (!applied) {
                throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to settle the prepared locks of " + xid + " (the prepared"
                        + " record " + record + " is still there); retry", e);
            }
        }
        synchronized (h) {
            h.prepared = null;
            for (int i = 0; i < held.size(); i++) {
                held.get(i).path = live.get(i);
            }
        }
        return true;
    }

    /**
     * What a settle whose outcome is unknown did: true if it applied (the record is gone and every
     * ephemeral node is there, owned by this session), false if not (the record is still there),
     * null if the record and the nodes are all gone (released by recovery elsewhere).
     */
    private Boolean settleApplied(String record, List<Held> held, List<String> live, Exception failure) throws XAException {
        try {
            if (client.checkExists().forPath(record) != null) {
                return false;
            }
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            int present = 0;
            for (String p : live) {
                Stat st = client.checkExists().forPath(p);
                if (st != null && st.getEphemeralOwner() == session) {
                    present++;
                }
            }
            if (present == live.size()) {
                log.info("The settle of {} had applied though its reply was lost ({})", record, failure.toString());
                return true;
            }
            return null;
        } catch (Exception e) {
            e.addSuppressed(failure);
            throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to settle the prepared locks of " + record + ", and what it did"
                    + " cannot be read back now; retry", e);
        }
    }

    @Override
    public boolean release(Xid xid) throws XAException {
        Owner owner = Owner.ofId(Xids.gtridHex(xid));
        boolean known = false;
        Holdings h = owners.get(owner);
        try {
            if (h != null) {
                known = true;
                List<Held> held;
                synchronized (h) {
                    stopRequests(h);
                    h.released = true;
                    held = List.copyOf(h.held);
                }
                for (Held x : held) {
                    delete(x.path);
                }
                owners.remove(owner, h); // forgotten only once every node is gone: a failed release is retried with the same paths
            }
            String record = ZKPaths.makePath(preparedPath, Xids.encode(xid));
            byte[] listing;
            try {
                listing = client.getData().forPath(record);
            } catch (KeeperException.NoNodeException e) {
                return known;
            }
            for (String p : new String(listing, StandardCharsets.UTF_8).split("\n")) {
                if (p.isEmpty()) {
                    continue;
                }
                if (!isPreparedNodeOf(p, owner)) {
                    log.warn("Not deleting {}, listed in the prepared record {}: it is not a prepared lock node of that transaction under {}"
                            + " (a forged or damaged record)", p, record, keysPath);
                    continue;
                }
                delete(p);
            }
            delete(record);
            return true;
        } catch (Exception e) {
            throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to release the locks of " + xid + "; retry", e);
        }
    }

    /** The transaction has started to complete: its waiters are cancelled and nothing more is granted. Called holding h. */
    private static void stopRequests(Holdings h) {
        h.completing = true;
        for (Waiter w : h.waiting) {
            w.cancelled = true;
            w.wake();
        }
    }

    private void releaseQuietly(Xid xid) {
        try {
            release(xid);
        } catch (XAException e) {
            log.warn("Could not release the locks of {}: {}", xid, e.getMessage());
        }
    }

    private void delete(String path) throws Exception {
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        }
    }

    private void deleteQuietly(String path) {
        try {
            client.delete().guaranteed().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            log.warn("Could not delete lock node {} (it goes when the session ends): {}", path, e.toString());
        }
    }

    @Override
    public List<Xid> prepared() throws XAException {
        try {
            List<Xid> xids = new ArrayList<>();
            for (String child : client.getChildren().forPath(preparedPath)) {
                try {
                    xids.add(Xids.decode(child));
                } catch (IllegalArgumentException e) {
                    log.warn("Ignoring {} in {}: {}", child, preparedPath, e.getMessage());
                }
            }
            return xids;
        } catch (Exception e) {
            throw LockBackend.xa(XAException.XAER_RMFAIL, "ZooKeeper failed to list the prepared locks under " + preparedPath, e);
        }
    }

    @Override
    public void stateChanged(CuratorFramework c, ConnectionState state) {
        if (state != ConnectionState.LOST) {
            return;
        }
        for (Holdings h : owners.values()) {
            synchronized (h) {
                if (h.prepared == null && !h.held.isEmpty() && h.lost == null) {
                    h.lost = "the ZooKeeper session was lost";
                    log.warn("Locks {} lost: the ZooKeeper session was lost", h.held);
                }
                for (Waiter w : h.waiting) {
                    w.wake();
                }
            }
        }
    }

    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(this);
    }

    /** What one transaction holds and waits for in this process. */
    private static final class Holdings {
        final List<Held> held = new ArrayList<>(4);
        final List<Waiter> waiting = new ArrayList<>(1);
        Xid prepared;
        /** Committed or rolled back, keys held (by ephemeral nodes) until the transaction has completed. */
        boolean settled;
        String lost;
        boolean released;
        /** Prepare, commit or rollback has begun: nothing more is granted. */
        boolean completing;

        Held strongest(String key) {
            Held best = null;
            for (Held h : held) {
                if (h.key.equals(key) && (best == null || h.mode == LockMode.EXCLUSIVE)) {
                    best = h;
                }
            }
            return best;
        }
    }

    /** A granted request: its node (ephemeral, or the persistent record once prepared). */
    private static final class Held {
        final String key;
        final LockMode mode;
        final long token;
        /** The session whose ephemeral node this is: nobody else deletes it while that session lives. */
        final long session;
        String path;

        Held(String key, LockMode mode, String path, long token, long session) {
            this.key = key;
            this.mode = mode;
            this.path = path;
            this.token = token;
            this.session = session;
        }

        LockGrant grant() {
            return new LockGrant(key, mode, token);
        }

        @Override
        public String toString() {
            return key + "(" + mode + ")";
        }
    }

    /** A thread waiting for its request node to reach the front. */
    private static final class Waiter implements WaitForGraph.Waiter {
        private final Owner owner;
        private final Semaphore signal = new Semaphore(0);
        volatile String victimOf;
        volatile boolean cancelled;

        Waiter(Owner owner) {
            this.owner = owner;
        }

        @Override
        public Owner owner() {
            return owner;
        }

        @Override
        public void chosenAsVictim(String cycle) {
            victimOf = cycle;
            wake();
        }

        void wake() {
            signal.release();
        }

        void await(long nanos) throws InterruptedException {
            signal.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
