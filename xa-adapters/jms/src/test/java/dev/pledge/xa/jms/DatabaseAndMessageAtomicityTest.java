package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.jms.Session;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.XAConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A MariaDB row and an Artemis message in one Pledge transaction: both or neither. */
class DatabaseAndMessageAtomicityTest {
    @TempDir
    Path tmp;

    TestBroker broker;
    TransactionService svc;
    TransactionalConnectionFactory jms;

    @BeforeEach
    void setUp() throws Exception {
        MariaDb.requireRunningAndReset();
        broker = TestBroker.start("db-jms", tmp.resolve("broker"));
        start(tmp.resolve("pledge-log"));
    }

    private void start(Path log) {
        svc = service(log);
        svc.recovery().register(MariaDb.NAME, MariaDb.recovery());
        jms = TransactionalConnectionFactory.builder(svc).name("orders-broker").xaConnectionFactory(broker.xaConnectionFactory()).build();
    }

    static TransactionService service(Path log) {
        return TransactionService.builder().nodeName("jms-db-test").logDirectory(log).recoveryInterval(Duration.ZERO).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (jms != null) {
            jms.close();
        }
        if (svc != null) {
            svc.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Inserts the row and sends the message inside the current transaction; returns the XA connection to close afterwards. */
    static XAConnection writeBoth(TransactionManager tm, TransactionalConnectionFactory jms, int id) throws Exception {
        XAConnection xc = MariaDb.dataSource().getXAConnection();
        // MariaDB rejects XA JOIN: every connection gets a branch of its own
        tm.getTransaction().enlistResource(PledgeXAResource.named(MariaDb.NAME, false, xc.getXAResource()));
        try (jakarta.jms.Connection c = jms.createConnection()) {
            Session s = c.createSession();
            var m = s.createTextMessage("order " + id);
            m.setIntProperty(Messages.ID, id);
            s.createProducer(s.createQueue("orders")).send(m);
        }
        try (PreparedStatement ps = xc.getConnection().prepareStatement("INSERT INTO " + MariaDb.TABLE + " VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, "order " + id);
            ps.executeUpdate();
        }
        return xc;
    }

    @Test
    void rowAndMessageCommitTogether() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection xc = writeBoth(tm, jms, 1);
        tm.commit();
        xc.close();
        assertEquals(1, MariaDb.count("id = 1"));
        assertEquals(List.of(1), Messages.drain(Messages.plain(broker), "orders", 500));
    }

    @Test
    void rowAndMessageRollBackTogether() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection xc = writeBoth(tm, jms, 2);
        tm.rollback();
        xc.close();
        assertEquals(0, MariaDb.count("id = 2"));
        assertEquals(List.of(), Messages.drain(Messages.plain(broker), "orders", 500));
    }

    @Test
    void failedDatabaseWriteDiscardsTheMessageSentBeforeIt() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection first = writeBoth(tm, jms, 3);
        tm.commit();
        first.close();
        Messages.drain(Messages.plain(broker), "orders", 300);

        tm.begin();
        XAConnection xc = null;
        try {
            xc = writeBoth(tm, jms, 3); // the message goes out first, then the duplicate key fails
        } catch (SQLException duplicate) {
            tm.setRollbackOnly();
        }
        assertThrows(RollbackException.class, tm::commit);
        if (xc != null) {
            xc.close();
        }
        assertEquals(1, MariaDb.count("id = 3"));
        assertEquals(List.of(), Messages.drain(Messages.plain(broker), "orders", 500), "the message must not outlive the failed insert");
    }

    @Test
    void crashAfterTheDecisionIsFinishedByRecoveryOnBoth() throws Exception {
        jms.close();
        jms = null;
        svc.close();
        svc = null;
        Path log = tmp.resolve("crash-log");
        ChildJvm.Result r = ChildJvm.run(tmp.resolve("child.out"), 60, DbAndJmsHaltChild.class, log.toString(), broker.url(), "7");
        assertEquals(HaltAfterDecisionChild.HALT_CODE, r.exitCode(), "child should halt in phase two; output:\n" + r.output());
        assertEquals(0, MariaDb.count("id = 7"), "the prepared insert must not be visible before recovery");
        assertEquals(0, broker.messageCount("orders"), "the prepared send must not be visible before recovery");

        start(log);
        svc.recovery().register(HaltAfterDecisionChild.HALTER, HaltingXAResource::forRecovery);
        RecoveryReport report = svc.recovery().runPass();
        assertEquals(2, report.committed(), report.toString());
        assertTrue(report.problems().isEmpty(), report.toString());
        assertEquals(1, MariaDb.count("id = 7"));
        assertEquals(List.of(7), Messages.drain(Messages.plain(broker), "orders", 500));
    }
}
