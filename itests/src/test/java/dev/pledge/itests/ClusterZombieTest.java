package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's zombie proof: a node (one transfer thread, so that its output tells which commit is
 * which) is paused with SIGSTOP in mid-commit, at a random moment or at a chosen point of 2PC, and
 * kept stopped until a peer has taken it over and finished its branches; then it is resumed with
 * SIGCONT. The resumed node is fenced: it commits at most the one transaction whose decision it
 * had written before the pause (none when it was paused before its decision), writes no decision
 * and no row, and leaves nothing prepared. Two peers live through the test; the log is in
 * PostgreSQL database {@value LogDatabase#SHARED_DATABASE}, tables {@code pledge_cit_zb_*}.
 */
class ClusterZombieTest extends ClusterTestBase {

    /** Where the zombie is paused; {@code decided} when its decision is in the log by then. */
    record Point(String target, FaultyXADataSource.Point point, boolean decided, String what) {
    }

    static final List<Point> POINTS = List.of(
            new Point("none", FaultyXADataSource.Point.BEFORE_PREPARE, true, "at a random moment"),
            new Point("M", FaultyXADataSource.Point.AFTER_PREPARE, false, "after MariaDB prepared, PostgreSQL not yet"),
            new Point("P", FaultyXADataSource.Point.AFTER_PREPARE, false, "after its prepares, just before its decision's COMMIT"),
            new Point("M", FaultyXADataSource.Point.BEFORE_COMMIT, true, "just after its decision's COMMIT, no branch committed"),
            new Point("M", FaultyXADataSource.Point.AFTER_COMMIT, true, "after its decision and MariaDB's commit"));


    @Test
    void aNodeResumedAfterAPeerTookItOverCommitsNothingItHadNotDecidedWritesNoDecisionAndLeavesNothingPrepared() throws Exception {
        ClusterChecks checks = setUpTwoPeers("zb");
        NodeJvm a = cluster.node("cit-zb-a");
        NodeJvm b = cluster.node("cit-zb-b");
        Set<String> all = new LinkedHashSet<>(List.of(a.name, b.name));
        int rounds = rounds();
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        List<String> summary = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Point p = POINTS.get(round < POINTS.size() ? round : rnd.nextInt(POINTS.size()));
            int nth = 1 + rnd.nextInt(4);
            String name = "cit-zb-z" + round;
            String what = "round " + round + " (" + name + " paused " + p.what() + ", #" + nth + "; seed " + seed + ")";
            NodeJvm z = cluster.start(name, p.target(), p.point(), nth);
            all.add(name);
            if (p.target().equals("none")) {
                z.awaitFirstCommit();
                Thread.sleep(rnd.nextInt(800));
            } else {
                z.awaitLineStartingWith(ClusterNode.PAUSING, 90);
            }
            z.pause();
            long epoch = cluster.log.epochOf(name);
            // MariaDB keeps a prepared branch attached to the session that prepared it while that session lives (another session's
            // XA COMMIT/ROLLBACK gets XAER_NOTA): the stopped node's MariaDB branch can only be finished once it resumes or dies,
            // so the adopter may have to wait for the resume below before it can retire the node.
            long took = checks.awaitAdopted(name, 60_000, what + ", stopped with SIGSTOP at epoch " + epoch);
            long resumedAt = Files.size(z.output);
            z.resume();
            if (!p.target().equals("none")) {
                z.awaitLine(ClusterNode.RESUMED, 30);
            }
            awaitFencedFailure(z, resumedAt, what);
            Thread.sleep(LEASE / 2); // time for a zombie to do what it must not: write a decision, a row, a commit
            String after = Files.readString(z.output).substring((int) resumedAt);
            long commitsAfter = after.lines().filter(l -> l.startsWith("commit ")).count();
            summary.add(what + ": adopted by a peer " + took + " ms after SIGSTOP; " + commitsAfter + " commit(s) reported after SIGCONT");
            assertTrue(commitsAfter <= (p.decided() ? 1 : 0), what + ": the resumed node reported " + commitsAfter
                    + " commits after it was taken over (at most the one it had decided before may finish):\n" + after);
            // Stopped inside its decision's COMMIT, the node resumes with the outcome unknown and fenced, and leaves its branches to
            // recovery: its data source closes the connection whose branch is left prepared (MariaDB detaches it), so the adopter,
            // which kept the node while MariaDB answered XAER_NOTA for the attached branch, finishes it and retires the node.
            checks.awaitFinished(name, LEASE + 2 * RECOVERY + 10_000, what + ": the resumed node's branches, finished by its adopter");
            Thread.sleep(RECOVERY);
            assertEquals(0, cluster.log.rowsOf(name), what + ": the resumed node wrote to the log after its takeover (a decision or its row)");
            assertEquals(1, cluster.adoptionsOf(name), what + ": exactly one peer adopts the stopped node");
            z.kill();
        }
        assertDrainsClean(a);
        assertDrainsClean(b);
        System.out.println(String.join("\n", summary));
        checks.assertAllFinished(all, "after " + rounds + " zombie rounds");
    }

    /**
     * A node stopped just after its decision's COMMIT, taken over, and then killed without ever
     * resuming. MariaDB keeps a prepared branch attached to the live session that prepared it and
     * answers another session's XA COMMIT with XAER_NOTA: the adopter must not take that for "gone"
     * (it would retire the node and leave the branch prepared with nobody to finish it). It commits
     * PostgreSQL's branch and keeps the node adopted while MariaDB's branch is attached; the kill
     * detaches the branch, and the adopter then commits it and retires the node.
     */
    @Test
    void aNodeKilledWhileStoppedAfterItsTakeoverHasItsMariaDbBranchFinishedByAPeer() throws Exception {
        ClusterChecks checks = setUpTwoPeers("zk");
        NodeJvm z = cluster.start("cit-zk-z", "M", FaultyXADataSource.Point.BEFORE_COMMIT, 1);
        z.awaitLineStartingWith(ClusterNode.PAUSING, 90);
        z.pause();
        checks.awaitPostgresFinished(z.name, 60_000, "the stopped node's PostgreSQL branch, committed by its adopter");
        Thread.sleep(2 * RECOVERY + 500); // passes of the adopter that meet MariaDB's XAER_NOTA for the attached branch
        assertEquals(1, cluster.adoptionsOf(z.name), "exactly one peer adopts the stopped node");
        assertTrue(cluster.log.rowsOf(z.name) > 0, "the adopter keeps the node (and its decision) while MariaDB's branch is attached to"
                + " the stopped node's session: MariaDB " + Servers.mariaDbXidsOf(z.name));
        assertEquals(1, Servers.mariaDbXidsOf(z.name).size(), "MariaDB's branch is still prepared, attached to the stopped session");
        z.kill();
        checks.awaitFinished(z.name, LEASE + RECOVERY + 10_000, "the node killed after its takeover");
        assertDrainsClean(cluster.node("cit-zk-a"));
        assertDrainsClean(cluster.node("cit-zk-b"));
        checks.assertAllFinished(List.of("cit-zk-a", "cit-zk-b", z.name), "after the kill");
    }

    /** Waits until the resumed node reports a failed transfer (it is fenced: its next transaction cannot commit). */
    private static void awaitFencedFailure(NodeJvm z, long from, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String after = Files.readString(z.output).substring((int) from);
            if (after.lines().anyMatch(l -> l.startsWith("transfer failed"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + ": the resumed node reported no failed transfer within 30 s (is it fenced?):\n" + z.text());
    }
}
