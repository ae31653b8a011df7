package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.itests.ChildJvm;
import dev.pledge.itests.Servers;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM running {@link TwoDatabases#write} (CDI, {@code @Transactional}, Hibernate on MariaDB and
 * PostgreSQL) halts in two-phase commit; a new transaction service on the same log recovers, and
 * both databases agree with the logged decision.
 */
class HibernateCrashRecoveryTest {
    static final String NODE = "jee-hib-crash";

    @TempDir
    Path dir;

    @Test
    void aCrashAfterTheCommitDecisionIsCommittedInBothDatabasesByRecovery() throws Exception {
        crash("M:AFTER_COMMIT", Optional.of("crash")); // MariaDB committed, PostgreSQL prepared
    }

    @Test
    void aCrashAfterPrepareWithoutADecisionIsRolledBackInBothDatabasesByRecovery() throws Exception {
        crash("P:AFTER_PREPARE", Optional.empty()); // both prepared, no decision: presumed abort
    }

    private void crash(String fault, Optional<String> expected) throws Exception {
        Servers.createDatabases(TwoDatabases.DATABASE);
        Path log = dir.resolve("log");
        recover(log); // anything an interrupted earlier run left under this node name
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Path out = dir.resolve("child.txt");
        Process child = ChildJvm.start(out, HibernateCrashApp.class, log.toString(), NODE, fault, Long.toString(id));
        try {
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not halt within 120 s:\n" + Files.readString(out));
        } finally {
            child.destroyForcibly();
        }
        assertEquals(HibernateCrashApp.HALT_STATUS, child.exitValue(), "the child should have halted at " + fault + ":\n" + Files.readString(out));
        assertFalse(Servers.postgresXidsOf(NODE).isEmpty(), "PostgreSQL's branch is in doubt after the crash");

        RecoveryReport report = recover(log);
        assertTrue(report.isClean(), report.toString());
        assertEquals(expected, TwoDatabases.inMariaDb(id));
        assertEquals(expected, TwoDatabases.inPostgres(id));
        assertEquals(List.of(), Servers.mariaDbXidsOf(NODE), "XA RECOVER on MariaDB");
        assertEquals(List.of(), Servers.postgresXidsOf(NODE), "pg_prepared_xacts");
    }

    /** A new service on the same log and node name, the data sources under the same names, one recovery pass. */
    private static RecoveryReport recover(Path log) {
        try (TransactionService svc = TransactionService.builder().nodeName(NODE).logDirectory(log).recoveryInterval(Duration.ZERO).build();
                TransactionalDataSource m = TransactionalDataSource.builder(svc).name(TwoDatabases.MARIADB)
                        .xaDataSource(Servers.mariaDb(TwoDatabases.DATABASE)).maxPoolSize(1).build();
                TransactionalDataSource p = TransactionalDataSource.builder(svc).name(TwoDatabases.POSTGRES)
                        .xaDataSource(Servers.postgres(TwoDatabases.DATABASE)).maxPoolSize(1).build()) {
            return svc.recovery().runPass();
        }
    }
}
