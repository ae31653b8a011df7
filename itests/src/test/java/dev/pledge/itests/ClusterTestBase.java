package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;

/** What the takeover tests share: a 2 s lease, a 500 ms recovery interval, and the cluster they kill at the end. */
abstract class ClusterTestBase {
    static final long LEASE = 2000;
    static final long RECOVERY = 500;
    static final long INITIAL = 1_000_000;

    Cluster cluster;

    @AfterEach
    void killLeftovers() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Finishes what an interrupted earlier run left of the nodes named {@code nodes}..., creates the
     * account tables {@code tables} and the (empty) cluster on {@code log}.
     */
    ClusterChecks setUp(LogDatabase log, String nodes, String tables, long lease, long recovery) throws Exception {
        ClusterChecks checks = ClusterChecks.create(log, nodes, tables, INITIAL);
        cluster = new Cluster(getClass(), log, lease, recovery, tables);
        return checks;
    }

    /**
     * The set-up of a test of rounds on the shared log database: log tables {@code pledge_cit_ID_*},
     * account tables {@code cit_ID}, two peers {@code cit-ID-a} and {@code cit-ID-b} running and
     * able to take others over.
     */
    ClusterChecks setUpTwoPeers(String id) throws Exception {
        ClusterChecks checks = setUp(LogDatabase.onSharedPostgres("pledge_cit_" + id + "_"), "cit-" + id + "-", "cit_" + id, LEASE, RECOVERY);
        cluster.startPeers("cit-" + id + "-a", "cit-" + id + "-b");
        return checks;
    }

    /** Rounds of a test that runs rounds: {@code -Dpledge.itest.rounds} (the soak profile sets it), at least 20. */
    static int rounds() {
        return Math.max(20, Integer.getInteger("pledge.itest.rounds", 20));
    }

    static void assertDrainsClean(NodeJvm node) throws Exception {
        String result = node.drain();
        assertTrue(result.startsWith(ClusterNode.DRAINED + " clean"), node.name + " drained with work left: " + result + "\n" + node.text());
    }
}
