package dev.pledge.itests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link ClusterNode} JVMs of one takeover test, all on one log, one lease, one recovery
 * interval and one pair of account tables; {@link #close} kills those still running.
 */
final class Cluster implements AutoCloseable {
    final LogDatabase log;
    final long lease;
    final long recovery;
    final String tables;
    private final Path dir;
    private final List<NodeJvm> nodes = new ArrayList<>();

    Cluster(Class<?> test, LogDatabase log, long lease, long recovery, String tables) throws IOException {
        this.dir = NodeJvm.outputDirectory(test);
        this.log = log;
        this.lease = lease;
        this.recovery = recovery;
        this.tables = tables;
    }

    /** Starts node {@code name} with one transfer thread. */
    NodeJvm start(String name) throws IOException {
        return start(name, "none", FaultyXADataSource.Point.BEFORE_PREPARE, 1);
    }

    /** Starts node {@code name} with one transfer thread that pauses at the {@code nth} {@code point} of {@code target}. */
    NodeJvm start(String name, String target, FaultyXADataSource.Point point, int nth) throws IOException {
        NodeJvm n = NodeJvm.start(dir, name, log, lease, recovery, tables, 1, target, point, nth);
        nodes.add(n);
        return n;
    }

    /**
     * Starts the named nodes, waits for their first commits and then one lease more: a node takes
     * others over only after a full lease of steady renewals of its own.
     */
    List<NodeJvm> startPeers(String... names) throws IOException, InterruptedException {
        List<NodeJvm> peers = new ArrayList<>();
        for (String name : names) {
            peers.add(start(name));
        }
        for (NodeJvm p : peers) {
            p.awaitFirstCommit();
        }
        Thread.sleep(lease);
        return peers;
    }

    /** The node of this cluster started last with {@code name}. */
    NodeJvm node(String name) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).name.equals(name)) {
                return nodes.get(i);
            }
        }
        throw new IllegalArgumentException("no node " + name + " in this cluster");
    }

    /** How many times the nodes of this cluster report having adopted {@code node}. */
    long adoptionsOf(String node) throws IOException {
        long n = 0;
        for (NodeJvm j : nodes) {
            n += j.adoptionsOf(node);
        }
        return n;
    }

    @Override
    public void close() {
        nodes.forEach(NodeJvm::close);
    }
}
