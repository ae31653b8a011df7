package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node name is checked, not assumed: a log is recovered only under the name that wrote it (or
 * one declared as its successor), and a node name is held by one live service per host.
 */
class NodeNameTest {
    @TempDir
    Path tmp;
    final CallLog log = new CallLog();
    final ScriptedXAResource dbA = new ScriptedXAResource("db-a", log);
    final ScriptedXAResource dbB = new ScriptedXAResource("db-b", log);

    private Path logDir() {
        return tmp.resolve("log");
    }

    private TransactionService.Builder service(String node) {
        return TransactionService.builder().nodeName(node).logDirectory(logDir()).recoveryInterval(Duration.ZERO)
                .recoveryResource("db-a", () -> dbA).recoveryResource("db-b", () -> dbB);
    }

    /** old-name commits on db-a and db-b; db-b's phase-two commit fails, so the decision stays logged and db-b prepared. */
    private void commitLeavingDbBPrepared(String node) throws Exception {
        dbB.commitError = XAException.XAER_RMFAIL;
        dbB.commitFailures = 1;
        try (TransactionService svc = service(node).build()) {
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(dbA);
            svc.transactionManager().getTransaction().enlistResource(dbB);
            svc.transactionManager().commit();
            assertEquals(1, svc.journal().pendingCommits().size());
        }
        assertEquals(1, dbB.prepared.size(), "db-b's branch is left to recovery");
    }

    @Test
    void restartingUnderAnotherNameOnTheSameLogIsRefusedNamingTheFileBothNamesAndTheFix() throws Exception {
        commitLeavingDbBPrepared("nn-old-name");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> service("nn-new-name").build());
        String m = e.getMessage();
        assertTrue(m.contains("'nn-old-name'") && m.contains("'nn-new-name'") && m.contains(logDir().resolve(NodeIdentity.FILE).toAbsolutePath().toString())
                && m.contains("renamedFrom(\"nn-old-name\")") && m.contains("nodeName(\"nn-old-name\")"), m);
        assertEquals(1, dbB.prepared.size(), "the refused service touched nothing");
        assertEquals(0, log.count("db-b.rollback"), log.toString());
        try (TransactionService svc = service("nn-old-name").build()) {
            assertTrue(svc.journal().pendingCommits().isEmpty(), "the old name finishes its decision");
        }
        assertTrue(dbB.prepared.isEmpty());
        assertEquals(0, log.count("db-a.rollback") + log.count("db-b.rollback"), "committed on both: " + log);
        assertEquals(2, log.count("db-b.commit(false)"), log.toString());
    }

    @Test
    void aRenameDeclaredWithRenamedFromRecoversTheOldNamesTransactionsAndTakesOverTheLog() throws Exception {
        commitLeavingDbBPrepared("nn-before");
        PledgeXid undecided = TestXids.ours("nn-before", 99, 1);
        dbA.prepared.add(undecided);
        try (TransactionService svc = service("nn-after").renamedFrom("nn-before").build()) {
            assertTrue(svc.journal().pendingCommits().isEmpty(), "the old name's decision is recovered and completed");
            assertTrue(svc.recovery().runPass().isClean());
        }
        assertTrue(dbB.prepared.isEmpty(), "db-b committed as decided");
        assertTrue(dbA.prepared.isEmpty(), "the old name's undecided branch is rolled back (presumed abort)");
        assertEquals(1, log.count("db-a.rollback"), log.toString());
        assertEquals(0, log.count("db-b.rollback"), log.toString());
        assertEquals("nn-after", Files.readString(logDir().resolve(NodeIdentity.FILE)).strip());
        IllegalStateException back = assertThrows(IllegalStateException.class, () -> service("nn-before").build());
        assertTrue(back.getMessage().contains("belongs to node name 'nn-after'"), back.getMessage());
    }

    @Test
    void aLogWithoutItsNodeNameFileButWithAnotherNamesDecisionsIsRefused() throws Exception {
        commitLeavingDbBPrepared("nn-legacy");
        Files.delete(logDir().resolve(NodeIdentity.FILE)); // a log written before logs recorded their node name
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> service("nn-newer").build());
        assertTrue(e.getMessage().contains("1 unfinished commit decision(s) of node name(s) [nn-legacy]")
                && e.getMessage().contains("renamedFrom(\"nn-legacy\")"), e.getMessage());
        assertEquals(1, dbB.prepared.size());
        assertEquals(0, log.count("db-b.rollback"), log.toString());
    }

    @Test
    void aSecondLiveServiceWithTheSameNodeNameInThisJvmIsRefusedUntilTheFirstCloses() {
        Path other = tmp.resolve("other-log");
        try (TransactionService first = TransactionService.builder().nodeName("nn-twice").logDirectory(logDir())
                .recoveryInterval(Duration.ZERO).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TransactionService.builder().nodeName("nn-twice")
                    .logDirectory(other).recoveryInterval(Duration.ZERO).build());
            assertTrue(e.getMessage().contains("'nn-twice' is already in use by another live transaction service in this JVM")
                    && e.getMessage().contains(logDir().toAbsolutePath().toString()) && e.getMessage().contains(other.toAbsolutePath().toString())
                    && e.getMessage().contains("nn-twice.lock"), e.getMessage());
            assertEquals("nn-twice", first.nodeName());
        }
        TransactionService.builder().nodeName("nn-twice").logDirectory(other).recoveryInterval(Duration.ZERO).build().close();
    }

    @Test
    void aLiveServiceInAnotherProcessKeepsItsNodeNameFromThisOneAndAKilledOneFreesIt() throws Exception {
        try (TransactionService mine = TransactionService.builder().nodeName("nn-host").logDirectory(logDir())
                .recoveryInterval(Duration.ZERO).build()) {
            ChildJvm.Result other = ChildJvm.run(tmp.resolve("try.out"), 60, SameNodeNameChild.class, "try",
                    tmp.resolve("child-log").toString(), "nn-host");
            assertEquals(SameNodeNameChild.REFUSED, other.exitCode(), other.output());
            assertTrue(other.output().contains("'nn-host' is already in use by another live process on this host")
                    && other.output().contains("pid " + ProcessHandle.current().pid()), other.output());
        }
        ChildJvm.Result killed = ChildJvm.run(tmp.resolve("halt.out"), 60, SameNodeNameChild.class, "hold-and-halt",
                tmp.resolve("child-log").toString(), "nn-killed");
        assertEquals(SameNodeNameChild.HALTED, killed.exitCode(), killed.output());
        TransactionService.builder().nodeName("nn-killed").logDirectory(tmp.resolve("after-kill-log")).recoveryInterval(Duration.ZERO)
                .build().close();
    }

    @Test
    void closingAServiceTwiceDoesNotFreeTheNodeNameOfTheServiceThatClaimedItSince() {
        TransactionService first = TransactionService.builder().nodeName("nn-reclaimed").logDirectory(logDir())
                .recoveryInterval(Duration.ZERO).build();
        first.close();
        try (TransactionService second = TransactionService.builder().nodeName("nn-reclaimed").logDirectory(tmp.resolve("second-log"))
                .recoveryInterval(Duration.ZERO).build()) {
            first.close();
            assertThrows(IllegalStateException.class, () -> TransactionService.builder().nodeName("nn-reclaimed")
                    .logDirectory(tmp.resolve("third-log")).recoveryInterval(Duration.ZERO).build());
            assertEquals("nn-reclaimed", second.nodeName());
        }
    }

    @Test
    void lockFileNamesKeepSafeNamesAndDisambiguateTheRest() {
        assertEquals("node-1.example.com.lock", NodeClaim.fileName("node-1.example.com"));
        String slash = NodeClaim.fileName("a/b");
        String under = NodeClaim.fileName("a_b");
        assertTrue(slash.startsWith("a_b-") && slash.endsWith(".lock") && !slash.equals(under), slash + " vs " + under);
        assertTrue(NodeClaim.fileName("..").startsWith("_."), NodeClaim.fileName(".."));
    }
}
