package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's takeover proofs, every node a JVM of its own moving money from MariaDB to PostgreSQL
 * with the log in a third database (PostgreSQL database {@value LogDatabase#SHARED_DATABASE}, tables
 * {@code pledge_cit_cl_*}), a 2 s lease and a 500 ms recovery interval.
 */
class ClusterTakeoverTest extends ClusterTestBase {
    /** What a recovery pass over a dead node and the polling of this test may add on a loaded 2-CPU machine. */
    static final long SLACK = 3000;


    /**
     * Three nodes: two peers that live through the test and a victim, killed with SIGKILL at a random
     * moment of its transfers; each round starts a new victim. Both peers race for every victim:
     * exactly one adopts it, and within the lease plus one recovery interval (plus {@link #SLACK})
     * nothing of it is left: no row, nothing prepared. At the end the peers drain: the money is conserved.
     */
    @Test
    void aPeerFinishesEveryNodeKilledForGoodWithinTheLeaseAndARecoveryIntervalAndExactlyOneOfTwoRacingPeersAdoptsIt()
            throws Exception {
        ClusterChecks checks = setUpTwoPeers("cl");
        NodeJvm a = cluster.node("cit-cl-a");
        NodeJvm b = cluster.node("cit-cl-b");
        Set<String> all = new LinkedHashSet<>(List.of(a.name, b.name));
        int rounds = rounds();
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        List<String> summary = new ArrayList<>();
        long slowest = 0;
        NodeJvm next = cluster.start("cit-cl-v0");
        for (int round = 0; round < rounds; round++) {
            NodeJvm victim = next;
            all.add(victim.name);
            String what = "round " + round + " (seed " + seed + ")";
            victim.awaitFirstCommit();
            Thread.sleep(rnd.nextInt(1000));
            victim.kill();
            int commits = victim.commits();
            next = round + 1 < rounds ? cluster.start("cit-cl-v" + (round + 1)) : null; // its start overlaps the takeover
            long took = checks.awaitFinished(victim.name, 60_000, what);
            slowest = Math.max(slowest, took);
            summary.add(what + ": " + victim.name + " killed after " + commits + " commits, finished by a peer in " + took + " ms");
            assertEquals(1, cluster.adoptionsOf(victim.name), what + ": exactly one peer must adopt " + victim.name + "\n" + String.join("\n", summary));
            assertTrue(took <= LEASE + RECOVERY + SLACK, what + ": " + victim.name + " took " + took + " ms to finish; the bound is the lease ("
                    + LEASE + ") + one recovery interval (" + RECOVERY + ") + " + SLACK + " ms\n" + String.join("\n", summary));
        }
        assertDrainsClean(a);
        assertDrainsClean(b);
        System.out.println(String.join("\n", summary) + "\nslowest takeover: " + slowest + " ms");
        checks.assertAllFinished(all, "after " + rounds + " rounds");
        assertTrue(a.commits() > 0 && b.commits() > 0);
    }
}
