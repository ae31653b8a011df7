package dev.pledge.tm.log;

import java.time.Duration;
import java.util.List;

/**
 * A log shared by several nodes (the database log), as the cluster needs it: a lease on this node's
 * row, the rows of peers whose lease ran out, and adoption of such a peer's log. Service-provider
 * interface between {@code dev.pledge.tm.cluster} and the log implementations; applications do not
 * call it. The file log is not one: it has no peers.
 */
public interface ClusterJournal extends Journal {

    /** A peer's node row whose lease has run out by the log database's clock, with the epoch it held when read. */
    record Peer(String name, long epoch) {
    }

    /** The node name this log writes under. */
    String nodeName();

    /** The node that adopted this log's node (for an adopted log: the adopter), or null for a node's own log. */
    String adoptedBy();

    /** How long the node's row stays held after the last renewal. */
    Duration leaseDuration();

    /**
     * The outage rule: true only when this node renewed its lease without a failure for a full lease
     * duration, and recently. A peer whose lease ran out meanwhile failed to renew while the database
     * answered this node: it is dead or cut off, and fenced by a takeover either way.
     */
    boolean renewingSteadily();

    /** The lease in words, for metrics and health: held, renewal failing (and why), fenced, closed. */
    String leaseState();

    /** Peers whose lease ran out (never this node); a {@link JournalException} when the database cannot be read. */
    List<Peer> expiredPeers();

    /**
     * Takes {@code peer} over for this node, in one transaction that bumps its epoch (fencing it) and
     * records this node as its adopter, if the row still holds the epoch seen; returns the adopted
     * node's log (its decisions and heuristics loaded, its lease renewed by this process), or null
     * when another peer won the race or the node came back.
     */
    ClusterJournal adopt(Peer peer);

    /**
     * Closes the log; if nothing of its node is in doubt (no pending decision, no heuristic outcome)
     * its rows are deleted, so that nobody takes it over, else its lease ends at once (handed over).
     *
     * @return true if the rows were deleted
     */
    boolean retire();
}
