package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryLog;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.jms.Connection;
import jakarta.jms.JMSContext;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionalConnectionFactoryTest {
    @TempDir
    Path tmp;

    TestBroker broker;
    TransactionService svc;
    TransactionalConnectionFactory factory;

    @BeforeEach
    void setUp() throws Exception {
        broker = TestBroker.start("tcf", tmp.resolve("broker"));
        svc = service(tmp.resolve("pledge-log"));
        factory = TransactionalConnectionFactory.builder(svc).name("orders-broker").xaConnectionFactory(broker.xaConnectionFactory())
                .maxConnections(2).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (factory != null) {
            factory.close();
        }
        if (svc != null) {
            svc.close();
        }
        broker.close();
    }

    static TransactionService service(Path log) {
        return TransactionService.builder().nodeName("jms-test").logDirectory(log).recoveryInterval(Duration.ZERO).unsafeDisableFsync()
                .build();
    }

    private void sendInTransaction(int id, boolean commit) throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(); // enlisted: a transaction is active
            MessageProducer p = s.createProducer(s.createQueue("orders"));
            var m = s.createTextMessage("order " + id);
            m.setIntProperty(Messages.ID, id);
            p.send(m);
        }
        if (commit) {
            tm.commit();
        } else {
            tm.rollback();
        }
    }

    @Test
    void sendInsideATransactionIsDeliveredWhenItCommits() throws Exception {
        sendInTransaction(1, true);
        assertEquals(List.of(1), Messages.drain(Messages.plain(broker), "orders", 500));
    }

    @Test
    void sendInsideATransactionIsDiscardedWhenItRollsBack() throws Exception {
        sendInTransaction(1, false);
        sendInTransaction(2, true);
        assertEquals(List.of(2), Messages.drain(Messages.plain(broker), "orders", 500));
    }

    @Test
    void contextCreatedInsideATransactionSendsOnlyWhenItCommits() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        try (JMSContext ctx = factory.createContext()) {
            ctx.createProducer().setProperty(Messages.ID, 5).send(ctx.createQueue("orders"), "order 5");
        }
        tm.rollback();
        tm.begin();
        try (JMSContext ctx = factory.createContext()) {
            ctx.createProducer().setProperty(Messages.ID, 6).send(ctx.createQueue("orders"), "order 6");
        }
        tm.commit();
        assertEquals(List.of(6), Messages.drain(Messages.plain(broker), "orders", 500));
    }

    @Test
    void byDefaultEveryConnectionOfTheFactorySharesOneBrokerConnection() throws Exception {
        int before = broker.connectionCount();
        try (TransactionalConnectionFactory defaults = TransactionalConnectionFactory.builder(svc).name("defaults-broker")
                .xaConnectionFactory(broker.xaConnectionFactory()).build()) {
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            try (Connection c1 = defaults.createConnection(); Connection c2 = defaults.createConnection();
                    Connection c3 = defaults.createConnection()) {
                int i = 1;
                for (Connection c : List.of(c1, c2, c3)) {
                    Session s = c.createSession();
                    s.createProducer(s.createQueue("orders")).send(withId(s, i++));
                }
                assertEquals(1, broker.connectionCount() - before, "three open connections of a factory with the default maxConnections(1)");
            }
            tm.commit();
        }
        assertEquals(List.of(1, 2, 3), Messages.drain(Messages.plain(broker), "orders", 500).stream().sorted().toList());
    }

    @Test
    void aSendOutsideATransactionIsDeliveredAtOnce() throws Exception {
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(); // no transaction on this thread: a non-transacted session
            s.createProducer(s.createQueue("orders")).send(withId(s, 7));
            assertEquals(List.of(7), Messages.drain(Messages.plain(broker), "orders", 500), "received while the session is still open");
        }
    }

    @Test
    void aFactoryWithoutANameOrAnXaConnectionFactoryOrWithAPoolBelowOneIsRefusedNamingTheSetting() {
        IllegalStateException noName = assertThrows(IllegalStateException.class,
                () -> TransactionalConnectionFactory.builder(svc).xaConnectionFactory(broker.xaConnectionFactory()).build());
        assertEquals("name is required: it is the resource name in the recovery log", noName.getMessage());
        IllegalStateException blankName = assertThrows(IllegalStateException.class,
                () -> TransactionalConnectionFactory.builder(svc).name(" ").xaConnectionFactory(broker.xaConnectionFactory()).build());
        assertEquals(noName.getMessage(), blankName.getMessage());
        IllegalStateException noFactory = assertThrows(IllegalStateException.class,
                () -> TransactionalConnectionFactory.builder(svc).name("orders-broker").build());
        assertEquals("xaConnectionFactory is required", noFactory.getMessage());
        IllegalArgumentException noConnections = assertThrows(IllegalArgumentException.class,
                () -> TransactionalConnectionFactory.builder(svc).maxConnections(0));
        assertEquals("maxConnections must be at least 1, not 0", noConnections.getMessage());
        IllegalArgumentException noSessions = assertThrows(IllegalArgumentException.class,
                () -> TransactionalConnectionFactory.builder(svc).maxSessionsPerConnection(0));
        assertEquals("maxSessionsPerConnection must be at least 1, not 0", noSessions.getMessage());
    }

    @Test
    void recoveryAsksTheBrokerOfAnOpenFactoryAndNoLongerThatOfAClosedOne() throws Exception {
        broker.stop();
        RecoveryReport open = svc.recovery().runPass();
        assertTrue(open.problems().stream().anyMatch(p -> p.startsWith("orders-broker unreachable")),
                "the factory registered itself for recovery under its name: " + open);
        factory.close();
        factory = null;
        RecoveryReport closed = svc.recovery().runPass();
        assertTrue(closed.problems().stream().noneMatch(p -> p.contains("orders-broker")), "closing withdrew the registration: " + closed);
    }

    @Test
    void transactionsReuseThePooledConnections() throws Exception {
        int before = broker.connectionCount();
        for (int i = 0; i < 30; i++) {
            sendInTransaction(i, true);
        }
        int opened = broker.connectionCount() - before;
        assertTrue(opened >= 1 && opened <= 2, "30 transactions opened " + opened + " broker connections; the pool allows 2");
        assertEquals(30, Messages.drain(Messages.plain(broker), "orders", 500).size());
    }

    @Test
    void twoSessionsOfOneBrokerInOneTransactionCommitTogether() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        try (Connection c1 = factory.createConnection(); Connection c2 = factory.createConnection()) {
            Session s1 = c1.createSession();
            Session s2 = c2.createSession();
            s1.createProducer(s1.createQueue("orders")).send(withId(s1, 1));
            s2.createProducer(s2.createQueue("orders")).send(withId(s2, 2));
        }
        tm.commit();
        assertEquals(List.of(1, 2), Messages.drain(Messages.plain(broker), "orders", 500).stream().sorted().toList());
    }

    private static jakarta.jms.Message withId(Session s, int id) throws Exception {
        var m = s.createTextMessage("order " + id);
        m.setIntProperty(Messages.ID, id);
        return m;
    }

    @Test
    void inDoubtSendIsCommittedByRecoveryUnderTheFactoryName() throws Exception {
        factory.close();
        factory = null;
        svc.close();
        svc = null;
        Path log = tmp.resolve("crash-log");
        Path out = tmp.resolve("child.out");
        ChildJvm.Result r = ChildJvm.run(out, 60, HaltAfterDecisionChild.class, log.toString(), broker.url());
        assertEquals(HaltAfterDecisionChild.HALT_CODE, r.exitCode(), "child should halt inside phase two; output:\n" + r.output());
        assertEquals(0, broker.messageCount("orders"), "the prepared send must not be visible yet");
        List<RecoveryLog.InDoubt> inDoubt = RecoveryLog.inspect(log).inDoubt();
        assertEquals(1, inDoubt.size(), inDoubt.toString());
        assertEquals(List.of(HaltAfterDecisionChild.HALTER, "orders-broker"),
                inDoubt.get(0).branches().stream().map(RecoveryLog.Branch::resource).toList(), "resource names in the log");

        svc = service(log);
        svc.recovery().register(HaltAfterDecisionChild.HALTER, HaltingXAResource::forRecovery);
        factory = TransactionalConnectionFactory.builder(svc).name("orders-broker").xaConnectionFactory(broker.xaConnectionFactory()).build();
        RecoveryReport report = svc.recovery().runPass();
        assertEquals(1, report.committed(), report.toString());
        assertTrue(report.problems().isEmpty(), "the decision must complete: the log names the branch 'orders-broker', which is registered; "
                + report);
        assertEquals(List.of(42), Messages.drain(Messages.plain(broker), "orders", 500));
        assertTrue(svc.recovery().runPass().isClean());
    }
}
