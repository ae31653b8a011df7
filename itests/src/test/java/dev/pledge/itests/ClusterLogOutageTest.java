package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's outage proof: three node JVMs share a log in a PostgreSQL server of the test's own
 * (a throwaway cluster, so that it may be crashed), which is stopped with {@code -m immediate} for
 * less than the lease and started again. Nobody takes anybody over (every epoch stays, no row is
 * adopted), every node commits again afterwards, and once they drain every transaction has one
 * outcome: the money is conserved and nothing stays prepared.
 */
class ClusterLogOutageTest extends ClusterTestBase {
    static final long OUTAGE_LEASE = 4000;
    static final long OUTAGE_RECOVERY = 300;


    @Test
    void aLogDatabaseOutageShorterThanTheLeaseTakesNobodyOverAndEveryTransactionHasOneOutcome() throws Exception {
        Servers.requireMariaDb();
        Servers.requirePostgres();
        try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
            LogDatabase log = new LogDatabase(pg.url(), "pledge_cit_out_");
            ClusterChecks checks = setUp(log, "cit-out-", "cit_out", OUTAGE_LEASE, OUTAGE_RECOVERY);
            List<NodeJvm> nodes = cluster.startPeers("cit-out-a", "cit-out-b", "cit-out-c"); // from here on each may take the others over
            Map<String, Long> epochs = new TreeMap<>();
            for (NodeJvm n : nodes) {
                epochs.put(n.name, log.epochOf(n.name));
            }
            long down = System.nanoTime();
            pg.stopServer();
            Thread.sleep(1500);
            pg.startServer();
            long outageMillis = (System.nanoTime() - down) / 1_000_000;
            assertTrue(outageMillis < OUTAGE_LEASE, "the outage (" + outageMillis + " ms) must be shorter than the lease (" + OUTAGE_LEASE + " ms)");
            Map<String, Integer> commitsAfter = new TreeMap<>();
            for (NodeJvm n : nodes) {
                commitsAfter.put(n.name, n.commits());
            }
            Thread.sleep(2 * OUTAGE_LEASE); // when takeovers would happen: leases run out, peers look every 300 ms
            for (NodeJvm n : nodes) {
                assertTrue(n.commits() > commitsAfter.get(n.name), n.name + " commits again after the outage:\n" + n.text());
                assertEquals(0, cluster.adoptionsOf(n.name), n.name + " was taken over after an outage of " + outageMillis + " ms");
                assertEquals(epochs.get(n.name), log.epochOf(n.name), n.name + "'s epoch changed: it was taken over");
            }
            assertEquals(0, log.count("SELECT COUNT(*) FROM " + log.prefix() + "node WHERE adopted_by IS NOT NULL"), "adopted rows");
            for (NodeJvm n : nodes) {
                assertDrainsClean(n);
            }
            System.out.println("outage of " + outageMillis + " ms; commits after it: " + commitsAfter);
            checks.assertAllFinished(epochs.keySet(), "after the outage");
        }
    }
}
