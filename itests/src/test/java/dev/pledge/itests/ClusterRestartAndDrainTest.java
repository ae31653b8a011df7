package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's proofs of a node that comes back and of a node that leaves: a node taken over after
 * SIGKILL is started again with its old name and works under a new epoch; a drained node leaves no
 * row and nobody adopts it. Each node is a JVM of its own; the log is in PostgreSQL database
 * {@value LogDatabase#SHARED_DATABASE}, tables {@code pledge_cit_rd_*}.
 */
class ClusterRestartAndDrainTest extends ClusterTestBase {


    private ClusterChecks setUp() throws Exception {
        return setUp(LogDatabase.onSharedPostgres("pledge_cit_rd_"), "cit-rd-", "cit_rd", LEASE, RECOVERY);
    }

    @Test
    void aNodeTakenOverAfterItsKillStartsAgainWithItsOldNameUnderANewEpochAndCommits() throws Exception {
        ClusterChecks checks = setUp();
        List<NodeJvm> nodes = cluster.startPeers("cit-rd-peer", "cit-rd-back");
        NodeJvm peer = nodes.get(0);
        NodeJvm victim = nodes.get(1);
        LogDatabase log = cluster.log;
        long epoch = log.epochOf(victim.name);
        victim.kill();
        checks.awaitFinished(victim.name, 60_000, "the killed node");
        assertEquals(1, peer.adoptionsOf(victim.name), "the peer adopted the killed node once");

        NodeJvm back = cluster.start(victim.name).awaitFirstCommit();
        long newEpoch = log.epochOf(back.name);
        assertNotEquals(epoch, newEpoch, "the restarted node works under a new epoch");
        int commits = back.commits();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (back.commits() < commits + 5 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(back.commits() >= commits + 5, "the restarted node keeps committing:\n" + back.text());
        assertDrainsClean(back);
        assertDrainsClean(peer);
        assertEquals(1, peer.adoptionsOf(victim.name), "nobody adopted the restarted node");
        checks.assertAllFinished(List.of(peer.name, victim.name), "after the restart with the old name");
    }

    @Test
    void aDrainedNodeLeavesNoRowAndNobodyAdoptsIt() throws Exception {
        ClusterChecks checks = setUp();
        List<NodeJvm> nodes = cluster.startPeers("cit-rd-peer", "cit-rd-leaving");
        NodeJvm peer = nodes.get(0);
        NodeJvm leaving = nodes.get(1);
        LogDatabase log = cluster.log;
        assertDrainsClean(leaving);
        assertEquals(0, leaving.process.exitValue());
        assertEquals(0, log.rowsOf(leaving.name), "a drained node leaves no row in the log");
        assertTrue(checks.finished(leaving.name), "a drained node leaves nothing prepared");
        Thread.sleep(LEASE + 2 * RECOVERY); // when a takeover would have happened
        assertEquals(0, peer.adoptionsOf(leaving.name), "nobody adopts a drained node:\n" + peer.text());
        assertEquals(0, log.rowsOf(leaving.name), "a drained node's row does not come back");
        assertDrainsClean(peer);
        checks.assertAllFinished(List.of(peer.name, leaving.name), "after the drain");
    }
}
