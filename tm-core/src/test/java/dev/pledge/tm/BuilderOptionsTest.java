package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.LogDatabases;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder options' defaults and refusals as docs/configuration.md states them: each refusal is an
 * IllegalArgumentException from build() naming the option, before anything is opened.
 */
class BuilderOptionsTest {
    @TempDir
    Path tmp;

    private TransactionService.Builder fileLog(String node) {
        return TransactionService.builder().nodeName(node).logDirectory(tmp.resolve("log")).recoveryInterval(Duration.ZERO);
    }

    private TransactionService.Builder databaseLog(String node, DataSource ds) {
        return TransactionService.builder().nodeName(node).databaseLog(ds).recoveryInterval(Duration.ZERO);
    }

    @Test
    void aLeaseShorterThan300MillisecondsIsRefusedNamingLeaseDuration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> databaseLog("opt-short-lease", LogDatabases.h2(tmp)).leaseDuration(Duration.ofMillis(299)).build());
        assertTrue(e.getMessage().contains("leaseDuration") && e.getMessage().contains("300 ms"), e.getMessage());
        try (TransactionService svc = databaseLog("opt-short-lease", LogDatabases.h2(tmp)).leaseDuration(Duration.ofMillis(300)).build()) {
            assertTrue(svc.health().isUp(), "300 ms is the least lease taken");
        }
    }

    @Test
    void unsafeDisableFsyncWithTheDatabaseLogIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> databaseLog("opt-nofsync-db", LogDatabases.h2(tmp)).unsafeDisableFsync().build());
        assertTrue(e.getMessage().contains("unsafeDisableFsync") && e.getMessage().contains("file log only"), e.getMessage());
    }

    @Test
    void aNegativeRecoveryIntervalIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fileLog("opt-interval").recoveryInterval(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().contains("recoveryInterval") && e.getMessage().contains("zero to disable"), e.getMessage());
    }

    @Test
    void aNegativeDrainTimeoutIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> databaseLog("opt-drain", LogDatabases.h2(tmp)).drainTimeout(Duration.ofMillis(-1)).build());
        assertTrue(e.getMessage().contains("drainTimeout"), e.getMessage());
    }

    @Test
    void aFormerNodeNameThatCouldNotBeANodeNameIsRefusedNamingRenamedFrom() {
        IllegalArgumentException colon = assertThrows(IllegalArgumentException.class,
                () -> fileLog("opt-renamed").renamedFrom("old:name").build());
        assertTrue(colon.getMessage().startsWith("renamedFrom must not contain ':'"), colon.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> fileLog("opt-renamed").renamedFrom("x".repeat(48)).build());
        assertTrue(tooLong.getMessage().startsWith("renamedFrom must be 1 to 47 bytes"), tooLong.getMessage());
    }

    @Test
    void theSegmentSizeIsRefusedOutsideOneMebibyteToOneGibibyteNamingTheBounds() {
        TransactionService.Builder b = TransactionService.builder();
        b.logSegmentSize(1L << 20);
        b.logSegmentSize(1L << 30);
        for (long bad : new long[] {(1L << 20) - 1, (1L << 30) + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.logSegmentSize(bad));
            assertEquals("logSegmentSize must be " + (1L << 20) + " to " + (1L << 30) + " bytes, not " + bad, e.getMessage());
        }
    }

    @Test
    void theDefaultTransactionTimeoutIsSixtySecondsAndEveryBranchIsToldIt() throws Exception {
        try (TransactionService svc = fileLog("opt-timeout").build()) {
            ScriptedXAResource r = new ScriptedXAResource("r", new CallLog());
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(r);
            svc.transactionManager().rollback();
            assertEquals(java.util.List.of(60), r.timeouts, "the time left of a 60 s timeout, in whole seconds");
        }
    }

    @Test
    void withoutALogDirectoryTheLogIsPledgeLogInTheWorkingDirectoryOwnerOnly() throws Exception {
        Path work = java.nio.file.Files.createDirectories(tmp.resolve("work"));
        ChildJvm.Result r = ChildJvm.runIn(work, tmp.resolve("child.out"), 60, DefaultLogDirectoryChild.class, "opt-default-log");
        assertEquals(0, r.exitCode(), r.output());
        Path log = work.resolve("pledge-log");
        assertEquals("opt-default-log", Files.readString(log.resolve("node-name")).strip());
        try (var segments = Files.newDirectoryStream(log, "pledge-*.log")) {
            assertTrue(segments.iterator().hasNext(), "the journal's segments are in ./pledge-log");
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    void theDefaultNodeNameIsTheHostnameVariableElseTheHostName() throws Exception {
        String env = System.getenv("HOSTNAME");
        String host = env != null && !env.isBlank() ? env : InetAddress.getLocalHost().getHostName();
        try (TransactionService svc = TransactionService.builder().logDirectory(tmp.resolve("log")).nodeLockDirectory(tmp.resolve("claims"))
                .recoveryInterval(Duration.ZERO).build()) {
            assertEquals(NodeNames.fit(host.strip()), svc.nodeName());
            assertTrue(Files.exists(tmp.resolve("claims").resolve(svc.nodeName() + ".lock")), "claimed in the node lock directory");
        }
    }

    @Test
    void withoutANodeLockDirectoryTheClaimIsInTheSystemPropertysDirectory() throws Exception {
        Path claims = tmp.resolve("claims-from-property");
        String before = System.setProperty("pledge.nodeLockDirectory", claims.toString());
        try (TransactionService svc = fileLog("opt-claims").build()) {
            assertTrue(Files.exists(claims.resolve("opt-claims.lock")), "claimed in -Dpledge.nodeLockDirectory");
        } finally {
            restore("pledge.nodeLockDirectory", before);
        }
    }

    /** SECURITY.md and docs/recovery.md: a live service holds an OS lock on {@code ~/.pledge/nodes/<name>.lock}. */
    @Test
    void withNeitherOptionNorPropertyTheClaimIsUnderDotPledgeNodesInTheHomeDirectory() throws Exception {
        Path home = tmp.resolve("home");
        String property = System.clearProperty("pledge.nodeLockDirectory");
        String userHome = System.setProperty("user.home", home.toString());
        try (TransactionService svc = TransactionService.builder().nodeName("opt-home-claim").logDirectory(tmp.resolve("home-log"))
                .recoveryInterval(Duration.ZERO).build()) {
            assertTrue(Files.exists(home.resolve(".pledge").resolve("nodes").resolve("opt-home-claim.lock")), "claimed under ~/.pledge/nodes");
        } finally {
            restore("pledge.nodeLockDirectory", property);
            restore("user.home", userHome);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void theDatabaseLogsTablesArePrefixedPledgeAndItsLeaseIsThirtySecondsByDefault() throws Exception {
        DataSource ds = LogDatabases.h2(tmp);
        try (TransactionService svc = databaseLog("opt-db-defaults", ds).build();
             Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version FROM pledge_schema_version")) {
                assertTrue(rs.next(), "pledge_schema_version has its row");
            }
            try (ResultSet rs = s.executeQuery("SELECT DATEDIFF('MILLISECOND', taken_at, lease_expires) FROM pledge_node"
                    + " WHERE name = 'opt-db-defaults'")) {
                assertTrue(rs.next(), "the node's row in pledge_node");
                long lease = rs.getLong(1);
                assertTrue(lease >= 29_000 && lease <= 30_000, "a 30 s lease from the take-over: " + lease + " ms");
            }
            for (String table : new String[] {"pledge_decision", "pledge_heuristic"}) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    assertTrue(rs.next(), table);
                }
            }
        }
    }
}
