package dev.pledge.xa.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock table in this JVM's memory: one FIFO queue per key, guarded by one mutex, and a
 * wait-for graph for deadlocks. Without a {@link PreparedStore} it lives and dies with the
 * JVM: a crash releases every lock, prepared ones included. With one, prepared grants are
 * written to disk and re-installed when the backend starts again, so they keep their keys
 * until recovery commits or rolls the branch back.
 */
final class InProcessLockBackend implements LockBackend {
    private static final Logger log = LoggerFactory.getLogger(InProcessLockBackend.class);

    private final ReentrantLock mutex = new ReentrantLock();
    private final Map<String, List<Request>> keys = new HashMap<>();
    private final Map<Owner, Holdings> owners = new HashMap<>();
    private final WaitForGraph graph = new WaitForGraph();
    /** Fencing tokens are reserved on disk this many at a time. */
    static final long TOKEN_BLOCK = 1 << 16;

    private final PreparedStore store;
    private final LongSupplier clockMicros;
    private long lastToken;
    /** With a store: no token above this was handed out by any earlier process, and none above it is handed out unrecorded. */
    private long reservedTokens = Long.MAX_VALUE;

    InProcessLockBackend(PreparedStore store) {
        this(store, () -> System.currentTimeMillis() * 1000);
    }

    /**
     * Fencing tokens start from the wall clock (in microseconds) and grow by one per grant. With a
     * store they are also above a high-water mark kept on disk, reserved {@link #TOKEN_BLOCK} at a
     * time, so they never go backwards across restarts even if the clock was stepped back. Without
     * a store only the clock carries them across restarts: a clock stepped back by more than the
     * grants made since can repeat tokens of an earlier process.
     */
    InProcessLockBackend(PreparedStore store, LongSupplier clockMicros) {
        this.store = store;
        this.clockMicros = clockMicros;
        this.lastToken = clockMicros.getAsLong();
        if (store != null) {
            try {
                lastToken = Math.max(lastToken, store.readTokenMark());
                reservedTokens = lastToken + TOKEN_BLOCK;
                store.writeTokenMark(reservedTokens);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read or write the fencing-token mark in " + store.directory(), e);
            }
            try {
                for (PreparedStore.Branch b : store.loadAll()) {
                    install(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the prepared locks in " + store.directory(), e);
            }
        }
    }

    /** Puts the grants of a branch prepared by an earlier process back in the table. */
    private void install(PreparedStore.Branch b) {
        Owner owner = Owner.ofId(Xids.gtridHex(b.xid()));
        Holdings h = owners.computeIfAbsent(owner, Holdings::new);
        h.prepared = b.xid();
        for (PreparedStore.Grant g : b.grants()) {
            Request r = new Request(owner, g.key(), g.mode(), null);
            r.granted = true;
            r.token = g.token();
            keys.computeIfAbsent(g.key(), k -> new ArrayList<>()).add(r);
            h.granted.add(r);
            lastToken = Math.max(lastToken, g.token());
        }
        log.info("Prepared locks of {} restored: {}", b.xid(), b.grants().stream().map(PreparedStore.Grant::key).collect(Collectors.toList()));
    }

    @Override
    public LockGrant acquire(Owner owner, String key, LockMode mode, long timeoutNanos) {
        long started = System.nanoTime();
        mutex.lock();
        try {
            Holdings h = owners.computeIfAbsent(owner, Holdings::new);
            Request strongest = h.strongest(key);
            if (strongest != null && strongest.mode.covers(mode)) {
                return strongest.grant();
            }
            if (h.prepared != null || h.settled || h.completing) {
                throw new IllegalStateException("Transaction " + owner + " is already prepared or completing; it cannot take a lock on '"
                        + key + "'");
            }
            List<Request> queue = keys.computeIfAbsent(key, k -> new ArrayList<>());
            Request r = new Request(owner, key, mode, mutex.newCondition());
            queue.add(r);
            Set<Owner> blockers = QueueRule.blockers(queue, queue.size() - 1);
            if (blockers.isEmpty()) {
                grant(r, h);
                return r.grant();
            }
            h.waiting.add(r);
            try {
                graph.waiting(r, blockers);
                long deadline = started + timeoutNanos;
                while (true) {
                    if (r.granted) {
                        return r.grant();
                    }
                    if (r.cancelled) {
                        throw new LockException("The " + mode + " lock request on '" + key + "' was cancelled: transaction " + owner
                                + " ended while it waited (it committed or rolled back, perhaps on another thread)");
                    }
                    if (r.victimOf != null) {
                        withdraw(r);
                        throw new LockDeadlockException(key, mode, r.victimOf);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        String holders = describeBlockers(queue, r);
                        withdraw(r);
                        throw new LockTimeoutException(key, mode, Duration.ofNanos(System.nanoTime() - started), holders);
                    }
                    try {
                        r.condition.awaitNanos(left);
                    } catch (InterruptedException e) {
                        withdraw(r);
                        Thread.currentThread().interrupt();
                        throw new LockException("Interrupted while waiting for a " + mode + " lock on '" + key + "'", e);
                    }
                }
            } finally {
                graph.done(r);
                h.waiting.remove(r);
            }
        } finally {
            mutex.unlock();
        }
    }

    private void grant(Request r, Holdings h) {
        r.granted = true;
        lastToken = Math.max(lastToken + 1, clockMicros.getAsLong());
        if (lastToken > reservedTokens - TOKEN_BLOCK / 2) {
            reserveTokens();
        }
        r.token = lastToken;
        h.granted.add(r);
    }

    /** Moves the recorded high-water mark a block ahead (with the mutex held; once every {@link #TOKEN_BLOCK}/2 grants). */
    private void reserveTokens() {
        long next = lastToken + TOKEN_BLOCK;
        try {
            store.writeTokenMark(next);
            reservedTokens = next;
        } catch (IOException e) {
            // tried again at the next grant; tokens stay monotonic in this process, and across a restart up to the old mark
            log.error("Cannot record the fencing-token mark {} in {}: {}", next, store.directory(), e.toString());
        }
    }

    /** Takes a waiting request out of its queue (timeout, deadlock, interrupt) and lets the ones behind it move up. */
    private void withdraw(Request r) {
        List<Request> queue = keys.get(r.key);
        if (queue != null && queue.remove(r)) {
            regrant(r.key, queue);
        }
    }

    private void regrant(String key, List<Request> queue) {
        if (queue.isEmpty()) {
            keys.remove(key);
            return;
        }
        for (int i = 0; i < queue.size(); i++) {
            Request w = queue.get(i);
            if (w.granted) {
                continue;
            }
            Set<Owner> blockers = QueueRule.blockers(queue, i);
            if (blockers.isEmpty()) {
                grant(w, owners.get(w.owner));
                graph.done(w);
                w.condition.signal();
            } else {
                graph.waiting(w, blockers);
            }
        }
    }

    private static String describeBlockers(List<Request> queue, Request r) {
        int at = queue.indexOf(r);
        Set<Owner> blockers = at < 0 ? Set.of() : QueueRule.blockers(queue, at);
        Set<String> parts = new LinkedHashSet<>();
        for (Request q : queue) {
            if (q != r && blockers.contains(q.owner)) {
                parts.add(q.owner + " (" + q.mode + (q.granted ? ", holding" : ", waiting") + ")");
            }
        }
        return parts.isEmpty() ? "nobody (it was just released)" : String.join(", ", parts);
    }

    @Override
    public int prepare(Owner owner, Xid xid) throws XAException {
        List<PreparedStore.Grant> grants;
        mutex.lock();
        try {
            // Before the vote: no request of this transaction may be granted any more (another thread of it may be waiting).
            // The entry stays, marked completing, until release() at the transaction's end, so a late request is refused.
            Holdings h = owners.computeIfAbsent(owner, Holdings::new);
            stopRequests(h);
            if (h.granted.isEmpty()) {
                return XAResource.XA_RDONLY;
            }
            h.prepared = xid;
            grants = h.granted.stream().map(r -> new PreparedStore.Grant(r.key, r.mode, r.token)).collect(Collectors.toList());
        } finally {
            mutex.unlock();
        }
        if (store != null) {
            try {
                store.write(xid, grants);
            } catch (IOException e) {
                throw LockBackend.xa(XAException.XAER_RMERR, "Cannot record the prepared locks of " + xid + " in " + store.directory(), e);
            }
        }
        return XAResource.XA_OK;
    }

    @Override
    public void commitOnePhase(Owner owner, Xid xid) throws XAException {
        release(xid); // nothing in this JVM can take a lock away from its holder
    }

    @Override
    public boolean commitDecided(Xid xid) {
        mutex.lock();
        try {
            Holdings h = owners.get(Owner.ofId(Xids.gtridHex(xid)));
            if (h == null || h.prepared == null) {
                return false;
            }
            stopRequests(h);
            h.settled = true; // prepared record and keys stay until release()
            return true;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public boolean settle(Xid xid) throws XAException {
        boolean known = deleteRecord(xid);
        mutex.lock();
        try {
            Holdings h = owners.get(Owner.ofId(Xids.gtridHex(xid)));
            if (h == null) {
                return known;
            }
            stopRequests(h); // a rollback without prepare: another thread of the transaction may still wait
            h.prepared = null;
            h.settled = true;
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /** Deletes the prepared record of {@code xid}, if there is a store; true if there was a record. */
    private boolean deleteRecord(Xid xid) throws XAException {
        if (store == null) {
            return false;
        }
        try {
            return store.delete(xid);
        } catch (IOException e) {
            throw LockBackend.xa(XAException.XAER_RMFAIL, "Cannot delete the prepared lock record of " + xid + "; retry", e);
        }
    }

    @Override
    public boolean release(Xid xid) throws XAException {
        boolean known = deleteRecord(xid);
        Owner owner = Owner.ofId(Xids.gtridHex(xid));
        mutex.lock();
        try {
            Holdings h = owners.remove(owner);
            if (h == null) {
                return known;
            }
            Set<String> touched = new LinkedHashSet<>();
            for (Request w : h.waiting) {
                w.cancelled = true;
                graph.done(w);
                keys.getOrDefault(w.key, new ArrayList<>()).remove(w);
                touched.add(w.key);
                w.condition.signal();
            }
            for (Request g : h.granted) {
                List<Request> queue = keys.get(g.key);
                if (queue != null) {
                    queue.remove(g);
                }
                touched.add(g.key);
            }
            for (String key : touched) {
                List<Request> queue = keys.get(key);
                if (queue != null) {
                    regrant(key, queue);
                }
            }
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * The transaction has started to complete: its waiting requests are cancelled (their threads
     * get a {@link LockException}) and no new request is queued or granted. Called with the mutex held.
     */
    private void stopRequests(Holdings h) {
        h.completing = true;
        Set<String> touched = new LinkedHashSet<>();
        for (Request w : List.copyOf(h.waiting)) {
            w.cancelled = true;
            graph.done(w);
            List<Request> queue = keys.get(w.key);
            if (queue != null) {
                queue.remove(w);
            }
            touched.add(w.key);
            w.condition.signal();
        }
        for (String key : touched) {
            List<Request> queue = keys.get(key);
            if (queue != null) {
                regrant(key, queue);
            }
        }
    }

    @Override
    public List<Xid> prepared() {
        mutex.lock();
        try {
            List<Xid> xids = new ArrayList<>();
            for (Holdings h : owners.values()) {
                if (h.prepared != null) {
                    xids.add(h.prepared);
                }
            }
            return xids;
        } finally {
            mutex.unlock();
        }
    }

    /** Number of keys with holders or waiters; for tests. */
    int keyCount() {
        mutex.lock();
        try {
            return keys.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Requests (granted and waiting) queued on {@code key}; for tests. */
    int queueLength(String key) {
        mutex.lock();
        try {
            List<Request> queue = keys.get(key);
            return queue == null ? 0 : queue.size();
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public void close() {
        // memory only; prepared grants are on disk if a store is configured
    }

    /** What one transaction holds and waits for. */
    private static final class Holdings {
        final List<Request> granted = new ArrayList<>(4);
        final List<Request> waiting = new ArrayList<>(1);
        Xid prepared;
        /** Committed or rolled back, keys held until the transaction has completed. */
        boolean settled;
        /** Prepare, commit or rollback has begun: nothing more is queued or granted. */
        boolean completing;

        Holdings(Owner owner) {
        }

        Request strongest(String key) {
            Request best = null;
            for (Request r : granted) {
                if (r.key.equals(key) && (best == null || r.mode == LockMode.EXCLUSIVE)) {
                    best = r;
                }
            }
            return best;
        }
    }

    /** One request in a key's queue. */
    private static final class Request implements QueueRule.Entry, WaitForGraph.Waiter {
        final Owner owner;
        final String key;
        final LockMode mode;
        final Condition condition;
        boolean granted;
        boolean cancelled;
        String victimOf;
        long token;

        Request(Owner owner, String key, LockMode mode, Condition condition) {
            this.owner = owner;
            this.key = key;
            this.mode = mode;
            this.condition = condition;
        }

        @Override
        public Owner owner() {
            return owner;
        }

        @Override
        public LockMode mode() {
            return mode;
        }

        @Override
        public void chosenAsVictim(String cycle) {
            victimOf = cycle;
            condition.signal(); // the graph is only called with the table's mutex held
        }

        LockGrant grant() {
            return new LockGrant(key, mode, token);
        }
    }
}
