/**
 * Nodes that share a database log and finish each other's transactions: membership by lease on the
 * database's clock, takeover of a node whose lease ran out (fencing it by epoch), recovery of the
 * adopted node's branches with this node's resources, and hand-over at drain. Depends on the log
 * contract ({@link dev.pledge.tm.log.ClusterJournal}) only; see docs/cluster.md.
 */
package dev.pledge.tm.cluster;
