package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.DatabaseJournal;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several services on one database log, in one JVM: a peer takes over a node whose lease ran out and
 * finishes its branches, a restarted node takes its row back, a node taken over while cut off from
 * the log is fenced, and a drained node leaves nothing to take over.
 */
class DatabaseLogClusterTest {
    static final Duration LEASE = Duration.ofSeconds(1);
    static final Duration ROUND = Duration.ofMillis(200);

    @TempDir
    Path tmp;
    private final String prefix = LogDatabases.uniquePrefix("cluster");
    private DataSource ds;
    private final CallLog calls = new CallLog();
    private final List<TransactionService> services = new ArrayList<>();
    private final ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
    private final ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);
    private final ScriptedXAResource c = new ScriptedXAResource("rm-c", calls);

    @AfterEach
    void closeAndDrop() {
        for (TransactionService s : services) {
            s.close();
        }
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }

    private DataSource ds(String database) {
        if (ds == null) {
            ds = LogDatabases.of(database, tmp);
            LogDatabases.dropTables(ds, prefix);
        }
        return ds;
    }

    private TransactionService.Builder builder(String database, String node) {
        return TransactionService.builder()
                .nodeName(node)
                .databaseLog(ds(database))
                .databaseLogTablePrefix(prefix)
                .leaseDuration(LEASE)
                .drainTimeout(Duration.ofSeconds(2))
                .recoveryInterval(ROUND);
    }

    /** {@code b} with rm-a, rm-b and rm-c registered for recovery, as every node of a cluster registers every resource. */
    private TransactionService.Builder withResources(TransactionService.Builder b) {
        return b.recoveryResource("rm-a", () -> a).recoveryResource("rm-b", () -> this.b).recoveryResource("rm-c", () -> c);
    }

    private TransactionService start(TransactionService.Builder b) {
        TransactionService s = b.build();
        services.add(s);
        return s;
    }

    private static PledgeXid xidOf(String node, int n) {
        byte[] name = (node + ":").getBytes(StandardCharsets.UTF_8);
        byte[] gtrid = Arrays.copyOf(name, name.length + 16);
        gtrid[gtrid.length - 1] = (byte) n;
        return new PledgeXid(gtrid, new byte[] {1});
    }

    private long nodeRows(String node) {
        return LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "node WHERE name = '" + node + "'");
    }

    private long decisionRows(String node) {
        return LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision WHERE node = '" + node + "'");
    }

    private DatabaseJournal.Node row(String node) {
        return DatabaseJournal.inspect(ds, prefix).nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElse(null);
    }

    private static void await(String what, Duration within, BooleanSupplier done) throws InterruptedException {
        LogDatabases.await(what, within, done);
    }

    /** The cluster's figures as docs/cluster.md ("Operators") lists them, read through JMX and Micrometer. */
    private static void assertClusterFigures(TransactionService svc, String leaseState, long adoptions, int adoptedNodes, int adoptedInDoubt)
            throws Exception {
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName(
                "dev.pledge:type=TransactionService,node=" + javax.management.ObjectName.quote(svc.nodeName()));
        boolean held = leaseState.startsWith("held (epoch ");
        assertEquals(leaseState, jmx.getAttribute(name, "LeaseState"));
        assertEquals(held, jmx.getAttribute(name, "LeaseHeld"));
        assertEquals(adoptions, jmx.getAttribute(name, "Adoptions"));
        assertEquals(adoptedNodes, jmx.getAttribute(name, "AdoptedNodes"));
        assertEquals(adoptedInDoubt, jmx.getAttribute(name, "AdoptedInDoubt"));
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        new PledgeMeterBinder(svc).bindTo(registry);
        assertEquals(held ? 1.0 : 0.0, registry.get("pledge.lease.held").gauge().value());
        assertEquals(adoptions, registry.get("pledge.cluster.adoptions").functionCounter().count());
        assertEquals(adoptedNodes, registry.get("pledge.cluster.adopted.nodes").gauge().value());
        assertEquals(adoptedInDoubt, registry.get("pledge.cluster.adopted.indoubt").gauge().value());
    }

    /**
     * Leaves node {@code dead} with a logged decision whose branch on {@code b} is still prepared, and
     * a branch on {@code c} prepared without a decision; then its service stops without finishing them
     * (it has no resource registered to recover with), so its lease ends with both in doubt.
     */
    private PledgeXid leaveInDoubt(String database, String dead)
            throws Exception {
        b.commitError = XAException.XAER_RMFAIL;
        TransactionService svc = builder(database, dead).build();
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(b);
        svc.transactionManager().commit();
        assertEquals(1, svc.journal().pendingCommits().size(), "the decision waits for rm-b");
        PledgeXid undecided = xidOf(dead, 7);
        c.prepared.add(undecided);
        DrainResult left = svc.drain(Duration.ofMillis(500));
        assertFalse(left.isClean(), left.toString());
        assertTrue(left.handedOver(), "what it could not finish is handed over: " + left);
        svc.close();
        b.commitError = 0;
        assertEquals(1, decisionRows(dead));
        return undecided;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aPeerTakesOverANodeWhoseLeaseRanOutCommitsWhatWasDecidedRollsBackTheRestAndDeletesItsRows(String database)
            throws Exception {
        leaveInDoubt(database, "dead");
        assertEquals(1, b.prepared.size());
        long t0 = System.nanoTime();
        TransactionService peer = start(withResources(builder(database, "peer")));
        await("the peer adopted node 'dead' and finished it", Duration.ofSeconds(15), () -> nodeRows("dead") == 0);
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(b.prepared.isEmpty(), "the decided branch was committed by the peer");
        assertTrue(c.prepared.isEmpty(), "the undecided branch was rolled back by the peer");
        assertEquals(2, calls.count("rm-b.commit"), "the dead node's failed commit, then the peer's: " + calls);
        assertTrue(calls.count("rm-c.rollback") >= 1, calls.toString());
        assertEquals(0, decisionRows("dead"), "the adopted node's decision rows are gone");
        assertEquals(1, peer.metrics().getAdoptions());
        assertEquals(0, peer.metrics().getAdoptedNodes());
        // the outage rule: a new peer first renews steadily for a full lease, then takes over within one more round or so
        assertTrue(tookMillis >= LEASE.toMillis(), "took " + tookMillis + " ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void whatAPeerCannotFinishStaysAdoptedAndVisibleUntilTheRestartedNodeTakesItsRowBack(String database) throws Exception {
        leaveInDoubt(database, "dead");
        b.commitError = XAException.XAER_RMFAIL; // rm-b cannot commit for the peer either
        TransactionService peer = start(withResources(builder(database, "peer")));
        await("the peer adopted node 'dead'", Duration.ofSeconds(15), () -> peer.metrics().getAdoptedNodes() == 1);
        DatabaseJournal.Node adopted = row("dead");
        assertEquals("peer", adopted.adoptedBy(), adopted.toString());
        assertTrue(adopted.live(), "the adopter renews the adopted node's lease: " + adopted);
        assertTrue(adopted.leaseAge() != null && adopted.leaseAge().compareTo(LEASE) < 0, adopted.toString());
        assertEquals(1, peer.metrics().getAdoptedInDoubt());
        assertClusterFigures(peer, "held (epoch " + ((DatabaseJournal) peer.journal()).epoch() + ")", 1, 1, 1);
        Thread.sleep(3 * ROUND.toMillis());
        assertEquals(1, b.prepared.size(), "still in doubt: the decision's branch could not be committed");
        assertEquals(1, nodeRows("dead"), "what stays in doubt stays adopted");

        // the node comes back under its old name: it takes its row back with a new epoch and finds the decision left
        b.commitError = 0;
        TransactionService back = start(withResources(builder(database, "dead")));
        DatabaseJournal.Node taken = row("dead");
        assertNull(taken.adoptedBy(), taken.toString());
        assertTrue(taken.epoch() > adopted.epoch(), taken + " after " + adopted);
        await("the adopter let the node go", Duration.ofSeconds(5), () -> peer.metrics().getAdoptedNodes() == 0);
        await("the restarted node finished its decision", Duration.ofSeconds(5), () -> b.prepared.isEmpty()
                && back.journal().pendingCommits().isEmpty());
        assertTrue(row("dead").live());
        assertFalse(back.journal().fenced());
    }

    @Test
    void aNodeTakenOverWhileCutOffFromTheLogIsFencedRollsBackWhatItPreparedAndBeginsNothingMore() throws Exception {
        String database = "postgresql";
        ds(database);
        try (var proxy = new dev.pledge.tm.log.db.CuttingProxy(LogDatabases.serverPort(database))) {
            DataSource cut = LogDatabases.throughPort(database, proxy.port());
            TransactionService zombie = start(TransactionService.builder().nodeName("zombie").databaseLog(cut)
                    .databaseLogTablePrefix(prefix).leaseDuration(LEASE).drainTimeout(Duration.ofSeconds(1))
                    .recoveryInterval(Duration.ZERO));
            TransactionService peer = start(builder(database, "peer")); // no resource: it keeps what it adopts
                    zombie.transactionManager().begin();
            zombie.transactionManager().getTransaction().enlistResource(a);
            zombie.transactionManager().getTransaction().enlistResource(b);
            proxy.setDown(true); // like a pause (kill -STOP) or a partition: the zombie cannot renew
            await("the peer took the zombie over", Duration.ofSeconds(15), () -> peer.metrics().getAdoptions() == 1);
            proxy.setDown(false);
            RollbackException e = assertThrows(RollbackException.class, () -> zombie.transactionManager().commit());
            assertTrue(e.getMessage().contains("fenced") && e.getMessage().contains("adopted by node 'peer'"), e.getMessage());
            assertTrue(a.prepared.isEmpty() && b.prepared.isEmpty(), "what it had only prepared is rolled back");
            assertEquals(0, calls.count("rm-a.commit") + calls.count("rm-b.commit"), calls.toString());
            assertEquals(0, decisionRows("zombie"), "it wrote no decision after the takeover");
            SystemException refused = assertThrows(SystemException.class, () -> zombie.transactionManager().begin());
            assertTrue(refused.getMessage().contains("No new transaction") && refused.getMessage().contains("takeover"),
                    refused.getMessage());
            assertTrue(zombie.metrics().isFenced());
            assertClusterFigures(zombie, "fenced", 0, 0, 0);
            assertEquals("peer", row("zombie").adoptedBy());
            Health h = zombie.health(); // docs/operations.md: fenced, so DOWN, with the takeover as the problem
            assertTrue(h.fenced() && !h.isUp() && !zombie.metrics().isLogUsable(), h.summary());
            assertTrue(h.logProblem() != null && h.logProblem().contains("peer"), h.logProblem());
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new PledgeMeterBinder(zombie).bindTo(registry);
            assertEquals(1.0, registry.get("pledge.node.fenced").gauge().value());
            assertEquals(0.0, registry.get("pledge.log.usable").gauge().value());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDrainedNodeFinishesWhatIsInDoubtAndLeavesNoRowSoNobodyTakesItOver(String database) throws Exception {
        TransactionService peer = start(withResources(builder(database, "peer")));
        TransactionService svc = withResources(builder(database, "leaving")).build();
        b.commitError = XAException.XAER_RMFAIL;
        b.commitFailures = 1; // phase two fails once: the decision is left to recovery
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(b);
        svc.transactionManager().commit();
        assertEquals(1, svc.journal().pendingCommits().size());
        DrainResult result = svc.drain(Duration.ofSeconds(5));
        assertTrue(result.isClean(), result.toString());
        assertFalse(result.handedOver());
        assertTrue(b.prepared.isEmpty());
        assertEquals(0, nodeRows("leaving"), "no row left");
        assertEquals(0, decisionRows("leaving"));
        SystemException refused = assertThrows(SystemException.class, () -> svc.transactionManager().begin());
        assertTrue(refused.getMessage().contains("draining"), refused.getMessage());
        svc.close();
        Thread.sleep(LEASE.toMillis() + 3 * ROUND.toMillis());
        assertEquals(0, peer.metrics().getAdoptions(), "nothing to take over");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDrainThatCannotFinishInTimeHandsOverAtOnceItsOwnNodeAndTheNodesItAdopted(String database) throws Exception {
        leaveInDoubt(database, "dead");
        b.commitError = XAException.XAER_RMFAIL; // the adopter cannot finish 'dead' either
        TransactionService peer = withResources(builder(database, "peer")).build();
        await("the peer adopted node 'dead'", Duration.ofSeconds(15), () -> peer.metrics().getAdoptedNodes() == 1);
        peer.transactionManager().begin(); // still running when the drain gives up
        DrainResult left = peer.drain(Duration.ofMillis(300));
        assertEquals(1, left.transactionsInFlight(), left.toString());
        assertTrue(left.handedOver(), left.toString());
        assertFalse(row("peer").live(), "its lease ended at once, not after it runs out: " + row("peer"));
        assertFalse(row("dead").live(), "the adopted node's lease ended at once too: " + row("dead"));
        ScriptedXAResource d = new ScriptedXAResource("rm-d", calls);
        ScriptedXAResource e = new ScriptedXAResource("rm-e", calls);
        peer.transactionManager().getTransaction().enlistResource(d);
        peer.transactionManager().getTransaction().enlistResource(e);
        assertThrows(RollbackException.class, () -> peer.transactionManager().commit(), "no decision after the hand-over");
        assertTrue(d.prepared.isEmpty() && e.prepared.isEmpty());
        assertEquals(0, calls.count("rm-d.commit") + calls.count("rm-e.commit"), calls.toString());
        peer.close();
        assertEquals(1, nodeRows("peer"), "a node handed over with a transaction in flight keeps its row for a peer");
    }

    @Test
    void aLogDatabaseOutageShorterThanTheLeaseTakesNobodyOver() throws Exception {
        String database = "postgresql";
        ds(database);
        Duration lease = Duration.ofSeconds(3); // an outage of 3/4 of it spans about three renewals, also on a loaded machine
        try (var proxy = new dev.pledge.tm.log.db.CuttingProxy(LogDatabases.serverPort(database))) {
            DataSource cut = LogDatabases.throughPort(database, proxy.port());
            List<TransactionService> nodes = new ArrayList<>();
            for (String n : List.of("n1", "n2", "n3")) {
                nodes.add(start(TransactionService.builder().nodeName(n).databaseLog(cut).databaseLogTablePrefix(prefix)
                        .leaseDuration(lease).drainTimeout(Duration.ofSeconds(2)).recoveryInterval(ROUND)));
            }
            Thread.sleep(lease.toMillis() + 500); // every node renews steadily: each may take a dead peer over from now on
            proxy.setDown(true);
            long downAt = System.nanoTime();
            await("every node says its renewal is failing", lease.multipliedBy(3).dividedBy(4), () -> nodes.stream()
                    .allMatch(n -> n.metrics().getLeaseState().startsWith("renewal failing: ") && !n.metrics().isLeaseHeld()));
            // shorter than the lease, longer than a renewal period: every renewal fails
            Thread.sleep(Math.max(0, lease.toMillis() * 3 / 4 - (System.nanoTime() - downAt) / 1_000_000));
            proxy.setDown(false);
            Thread.sleep(2 * lease.toMillis() + 1000);
            for (TransactionService n : nodes) {
                assertEquals(0, n.metrics().getAdoptions(), n.nodeName() + " took a node over after an outage shorter than the lease");
                assertFalse(n.metrics().isFenced(), n.nodeName());
                assertTrue(n.metrics().isLeaseHeld(), n.nodeName() + ": " + n.metrics().getLeaseState());
                                n.transactionManager().begin();
                n.transactionManager().getTransaction().enlistResource(a);
                n.transactionManager().getTransaction().enlistResource(b);
                n.transactionManager().commit();
            }
        }
    }

    @Test
    void aDrainReportsTheGtridsInDoubtTheHeuristicOutcomesAndTheBranchesPendingAndStopsAfterPassesThatChangeNothing() throws Exception {
        TransactionService svc = start(withResources(builder("h2", "leaving")));
        b.commitError = XAException.XAER_RMFAIL; // rm-b never commits: its decision stays in doubt pass after pass
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(b);
        svc.transactionManager().commit();
        String inDoubt = svc.journal().pendingCommits().iterator().next().gtrid().toString();
        c.commitError = XAException.XA_HEURRB; // rm-c rolled its branch back on its own: an outcome for an operator
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(c);
        assertThrows(jakarta.transaction.HeuristicMixedException.class, () -> svc.transactionManager().commit());

        long t0 = System.nanoTime();
        DrainResult left = svc.drain(Duration.ofSeconds(60));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMillis < 10_000, "passes that change nothing end the drain early, not at its timeout: " + tookMillis + " ms");
        assertEquals(0, left.transactionsInFlight(), left.toString());
        assertEquals(List.of(inDoubt), left.decisionsInDoubt(), left.toString());
        assertEquals(1, left.heuristicOutcomes(), left.toString());
        assertTrue(left.branchesPending() >= 1, "rm-b's branch: " + left);
        assertFalse(left.isClean());
        assertTrue(left.handedOver(), left.toString());
        assertFalse(row("leaving").live(), "what is left is handed over at once: " + row("leaving"));
        assertEquals(1, decisionRows("leaving"), "the decision stays for the peer that takes the node over");
    }

    @Test
    void closingAServiceOnADatabaseLogDrainsItSoItLeavesNoRowAndItsNameStartsAgainAtALaterEpoch() throws Exception {
        TransactionService svc = withResources(builder("h2", "closing")).build();
        long firstEpoch = ((DatabaseJournal) svc.journal()).epoch();
        b.commitError = XAException.XAER_RMFAIL;
        b.commitFailures = 1; // phase two fails once: the decision is left for the drain's recovery passes
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(b);
        svc.transactionManager().commit();
        assertEquals(1, decisionRows("closing"));
        svc.close(); // no drain() called: close() drains by itself with a database log
        assertEquals("closed", svc.metrics().getLeaseState());
        assertTrue(b.prepared.isEmpty(), "the drain finished the decision");
        assertEquals(0, nodeRows("closing"), "no row left for a peer to take over");
        assertEquals(0, decisionRows("closing"));

        long before = System.currentTimeMillis();
        TransactionService again = start(builder("h2", "closing"));
        long epoch = ((DatabaseJournal) again.journal()).epoch();
        assertTrue(epoch > firstEpoch && epoch >= before, "a deleted row's name starts again at the clock in ms, not at 1: " + epoch
                + " after " + firstEpoch);
    }

    @Test
    void aRecoveryPassRunByHandTakesOverAPeerWhenBackgroundPassesAreOff() throws Exception {
        leaveInDoubt("h2", "dead");
        TransactionService peer = start(withResources(builder("h2", "peer").recoveryInterval(Duration.ZERO)));
        Thread.sleep(LEASE.toMillis() + 3 * ROUND.toMillis()); // a full lease of steady renewals: the peer may take nodes over now
        assertEquals(0, peer.metrics().getAdoptions(), "no background pass, no takeover");
        assertEquals(1, nodeRows("dead"));
        // as the Spring Boot starter, the CDI extension or an operator runs them; the round after a pass adopts, finishes and deletes
        await("a pass run by hand took 'dead' over and finished it", Duration.ofSeconds(10), () -> {
            peer.recovery().runPass();
            return nodeRows("dead") == 0;
        });
        assertEquals(1, peer.metrics().getAdoptions());
        assertTrue(b.prepared.isEmpty() && c.prepared.isEmpty(), "decided branch committed, undecided one rolled back");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anAdopterWithNoResourceRegisteredNeverDeletesTheNodeItAdopted(String database) throws Exception {
        DatabaseJournal.open(ds(database), prefix, "quiet", LEASE).close(); // a node with nothing in its log whose lease ended
        TransactionService peer = start(builder(database, "peer"));
        await("the peer adopted node 'quiet'", Duration.ofSeconds(15), () -> peer.metrics().getAdoptions() == 1);
        Thread.sleep(5 * ROUND.toMillis());
        assertEquals(1, nodeRows("quiet"), "nothing proves that no branch of it is prepared somewhere: it stays adopted");
        assertEquals("peer", row("quiet").adoptedBy());
        assertEquals(1, peer.metrics().getAdoptedNodes());
        assertEquals(0, peer.metrics().getAdoptedInDoubt(), "no decision, no heuristic outcome");
    }

    @Test
    void whenTheAdopterDiesTooAnotherPeerAdoptsTheNodeInTurnAndFinishesIt() throws Exception {
        String database = "postgresql";
        leaveInDoubt(database, "dead");
        b.commitError = XAException.XAER_RMFAIL; // nobody can finish 'dead' for now
        try (var proxy = new dev.pledge.tm.log.db.CuttingProxy(LogDatabases.serverPort(database))) {
            TransactionService first = start(withResources(TransactionService.builder().nodeName("first")
                    .databaseLog(LogDatabases.throughPort(database, proxy.port())).databaseLogTablePrefix(prefix).leaseDuration(LEASE)
                    .drainTimeout(Duration.ofSeconds(1)).recoveryInterval(ROUND)));
            await("'first' adopted node 'dead'", Duration.ofSeconds(15), () -> first.metrics().getAdoptedNodes() == 1);
            long adoptedEpoch = row("dead").epoch();
            TransactionService second = start(withResources(builder(database, "second")));
            proxy.setDown(true); // the adopter dies, as far as the log can tell: it renews neither its lease nor the adopted node's
            await("'second' adopted node 'dead' in turn", Duration.ofSeconds(15), () -> {
                DatabaseJournal.Node dead = row("dead");
                return dead != null && "second".equals(dead.adoptedBy());
            });
            assertTrue(row("dead").epoch() > adoptedEpoch, "the new adoption fences the first adopter off the node: " + row("dead"));
            b.commitError = 0;
            await("'second' finished node 'dead'", Duration.ofSeconds(15), () -> nodeRows("dead") == 0);
            assertTrue(b.prepared.isEmpty() && c.prepared.isEmpty(), "decided branch committed, undecided one rolled back");
            assertEquals(0, decisionRows("dead"));
        }
    }

    @Test
    void aHeuristicOutcomeTheAdopterMetIsLeftInTheLogForTheNodeThatComesBack() throws Exception {
        leaveInDoubt("h2", "dead");
        b.commitError = XAException.XA_HEURRB; // rm-b rolled the decided branch back on its own: an outcome for an operator
        TransactionService peer = start(withResources(builder("h2", "peer")));
        await("the peer met rm-b's heuristic outcome", Duration.ofSeconds(15),
                () -> peer.metrics().getAdoptedNodes() == 1 && LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix
                        + "heuristic WHERE node = 'dead'") == 1);
        Thread.sleep(3 * ROUND.toMillis());
        assertEquals(1, nodeRows("dead"), "a heuristic outcome keeps the node adopted: " + row("dead"));
        assertEquals(1, peer.metrics().getAdoptedInDoubt());

        TransactionService back = start(builder("h2", "dead"));
        assertEquals(1, back.journal().heuristics().size(), "the restarted node finds the outcome its adopter logged");
        assertEquals(1, back.health().heuristicOutcomes(), back.health().summary());
    }

    @Test
    void aDrainedAdopterWithNothingOfItsOwnLeftDeletesItsRowAndHandsTheAdoptedNodeOver() throws Exception {
        leaveInDoubt("h2", "dead");
        b.commitError = XAException.XAER_RMFAIL; // the adopter cannot finish 'dead'
        TransactionService peer = withResources(builder("h2", "peer")).build();
        await("the peer adopted node 'dead'", Duration.ofSeconds(15), () -> peer.metrics().getAdoptedNodes() == 1);
        DrainResult result = peer.drain(Duration.ofSeconds(2));
        assertTrue(result.isClean(), "nothing of the peer's own node is left: " + result);
        assertFalse(result.handedOver(), "handedOver is about the draining node itself: " + result);
        assertEquals(0, nodeRows("peer"), "its own row is deleted");
        assertFalse(row("dead").live(), "the adopted node's lease ended at once, for another peer: " + row("dead"));
        assertEquals(1, decisionRows("dead"), "and its decision stays for that peer");
        peer.close();
    }

    @Test
    void leaseDurationWithTheFileLogIsRefusedNamingBothOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransactionService.builder()
                .nodeName("file-node").logDirectory(tmp.resolve("log")).leaseDuration(Duration.ofSeconds(5)).build());
        assertTrue(e.getMessage().contains("leaseDuration") && e.getMessage().contains("databaseLog"), e.getMessage());
    }
}
