package dev.pledge.tm.cluster;

import dev.pledge.tm.log.ClusterJournal;
import dev.pledge.tm.log.ClusterJournal.Peer;
import dev.pledge.tm.log.JournalException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in a cluster on a shared database log: on every recovery pass it takes over the
 * peers whose lease ran out (only while its own renewals are steady: the outage rule), drives each
 * adopted node's branches to their outcome with this node's resources, and deletes an adopted node's
 * rows once nothing of it is in doubt. What stays in doubt stays adopted and visible. An adopted
 * node that comes back (or that another peer took from this one) fences this node off it: it is
 * dropped. Internal to Pledge: {@code TransactionService} drives it.
 */
public final class ClusterMember {
    private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);

    private final ClusterJournal own;
    /** For an adopted node's log: runs one recovery pass over it and answers whether nothing of it is left in doubt. */
    private final Function<ClusterJournal, BooleanSupplier> recoveryOf;
    /** Adopted nodes by name; changed under this object's lock. */
    private final Map<String, Adopted> adopted = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicLong adoptions = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private boolean handedOver;

    private record Adopted(ClusterJournal journal, BooleanSupplier pass) {
    }

    /**
     * @param own        this node's log
     * @param recoveryOf makes, for an adopted node's log, a recovery pass that answers true when it left nothing in doubt
     */
    public ClusterMember(ClusterJournal own, Function<ClusterJournal, BooleanSupplier> recoveryOf) {
        this.own = Objects.requireNonNull(own, "own");
        this.recoveryOf = Objects.requireNonNull(recoveryOf, "recoveryOf");
    }

    /**
     * One round, on the recovery cadence: drops adopted nodes this node was fenced off, takes over the
     * peers whose lease ran out (if this node's own renewals were steady for a full lease), and runs a
     * recovery pass for every adopted node, retiring those left with nothing in doubt.
     */
    public synchronized void pass() {
        if (handedOver || own.fenced()) {
            return;
        }
        dropFenced();
        if (own.renewingSteadily()) {
            takeOverExpiredPeers();
        }
        for (Adopted a : new ArrayList<>(adopted.values())) {
            finishIfClean(a);
        }
    }

    private void dropFenced() {
        adopted.values().removeIf(a -> {
            if (!a.journal().fenced()) {
                return false;
            }
            log.warn("Node '{}' no longer holds adopted node '{}' (it came back, or another peer took it over): {}", own.nodeName(),
                    a.journal().nodeName(), a.journal().refusal());
            a.journal().close();
            return true;
        });
    }

    private void takeOverExpiredPeers() {
        List<Peer> expired;
        try {
            expired = own.expiredPeers();
        } catch (JournalException e) {
            log.warn("Node '{}' could not look for peers whose lease ran out: {}", own.nodeName(), e.getMessage());
            return;
        }
        for (Peer p : expired) {
            if (adopted.containsKey(p.name())) {
                continue; // an adopted node's lease is renewed by this process; it ran out only if this process stalled
            }
            try {
                ClusterJournal j = own.adopt(p);
                if (j != null) {
                    adoptions.incrementAndGet();
                    adopted.put(p.name(), new Adopted(j, recoveryOf.apply(j)));
                }
            } catch (JournalException e) {
                log.warn("Node '{}' could not take node '{}' over: {}", own.nodeName(), p.name(), e.getMessage());
            }
        }
    }

    private void finishIfClean(Adopted a) {
        boolean clean;
        try {
            clean = a.pass().getAsBoolean();
        } catch (RuntimeException e) {
            log.warn("Recovery of adopted node '{}' failed: {}", a.journal().nodeName(), e.toString());
            return;
        }
        if (a.journal().fenced()) {
            return; // dropped on the next round
        }
        if (clean && a.journal().pendingCommits().isEmpty() && a.journal().heuristics().isEmpty()) {
            adopted.remove(a.journal().nodeName());
            if (a.journal().retire()) {
                finished.incrementAndGet();
                log.info("Node '{}' finished adopted node '{}': nothing of it is in doubt; its rows are deleted", own.nodeName(),
                        a.journal().nodeName());
            }
        }
    }

    /**
     * Ends the lease of every adopted node at once, so that a peer takes them over on its next round
     * (for a drain): this node takes no node over any more.
     */
    public synchronized void handOver() {
        handedOver = true;
        for (Adopted a : adopted.values()) {
            a.journal().retire();
        }
        adopted.clear();
    }

    /** Nodes this node took over since it started. */
    public long adoptions() {
        return adoptions.get();
    }

    /** Adopted nodes this node finished (nothing of them left in doubt, their rows deleted). */
    public long adoptionsFinished() {
        return finished.get();
    }

    /** The nodes this node holds adopted now, with what is in doubt of each: decisions pending plus heuristic outcomes. */
    public Map<String, Integer> adoptedInDoubt() {
        Map<String, Integer> out = new TreeMap<>();
        for (Adopted a : adopted.values()) {
            out.put(a.journal().nodeName(), a.journal().pendingCommits().size() + a.journal().heuristics().size());
        }
        return out;
    }

    /** This node's lease in words. */
    public String leaseState() {
        return own.leaseState();
    }
}
