package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
