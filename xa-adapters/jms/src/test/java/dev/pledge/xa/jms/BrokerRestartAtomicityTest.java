package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 row and an Artemis message in one transaction while the broker restarts: the row and the
 * message commit together or roll back together, never the row alone, even when the caller
 * commits after a failed send (as {@code @Transactional} does after a checked {@code JMSException}).
 */
class BrokerRestartAtomicityTest {
    @TempDir
    Path tmp;

    TestBroker broker;
    TransactionService svc;
    TransactionalConnectionFactory jms;
    JdbcDataSource h2;

    /** Starts the broker, the service and the factory, and commits a first row and message. */
    private void start(boolean autoDelete) throws Exception {
        Path dir = tmp.resolve("broker");
        broker = autoDelete ? TestBroker.startWithAutoDelete("restart", dir) : TestBroker.start("restart", dir);
        svc = TransactionService.builder().nodeName("jmsloss-restart").logDirectory(tmp.resolve("log")).recoveryInterval(Duration.ZERO)
                .build();
        jms = TransactionalConnectionFactory.builder(svc).name("restart-broker").xaConnectionFactory(broker.xaConnectionFactory()).build();
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + tmp.resolve("db").toAbsolutePath());
        try (var c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INT PRIMARY KEY)");
        }
        // a first transaction leaves a pooled connection behind, as a running application has
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection xc = enlistAndInsert(tm, 0);
        send(0);
        tm.commit();
        xc.close();
        assertEquals(List.of(0), Messages.drain(Messages.plain(broker), "orders", 300));
    }

    @AfterEach
    void tearDown() throws Exception {
        try (AutoCloseable b = broker; AutoCloseable s = svc; AutoCloseable j = jms) {
            // closed in reverse order
        }
    }

    /** Sends and inserts with a resource after the broker's branch that restarts the broker in its prepare; returns whether it committed. */
    private boolean commitWithARestartDuringPrepare(TransactionManager tm, int id) throws Exception {
        tm.begin();
        XAConnection xc = enlistAndInsert(tm, id);
        send(id);
        // prepared after the broker's branch (enlistment order)
        tm.getTransaction().enlistResource(new RestartingResource(broker));
        return commit(tm, xc);
    }

    @Test
    void brokerRestartBetweenTheSendAndTheCommitNeverCommitsTheRowWithoutTheMessage() throws Exception {
        start(false);
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection xc = enlistAndInsert(tm, 1);
        send(1);
        broker.restart();
        assertBothOrNeither(commit(tm, xc), 1);
    }

    @Test
    void brokerRestartBeforeTheSendNeverCommitsTheRowWithoutTheMessageEvenIfTheCallerCommitsAfterTheFailedSend() throws Exception {
        start(false);
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        XAConnection xc = enlistAndInsert(tm, 2);
        broker.restart();
        try {
            send(2);
        } catch (JMSException e) {
            // a checked exception: @Transactional commits, and so does this caller
        }
        assertBothOrNeither(commit(tm, xc), 2);
    }

    @Test
    void brokerRestartAfterTheBrokerPreparedCommitsTheMessageThroughRecovery() throws Exception {
        start(false);
        boolean committed = commitWithARestartDuringPrepare(svc.transactionManager(), 3);
        assertTrue(committed, "the broker had prepared: the transaction commits");
        assertBothOrNeither(committed, 3);
    }

    @Test
    void anArtemisSessionThatCannotStartItsBranchLeavesTheTransactionRollbackOnly() throws Exception {
        start(false);
        TransactionManager tm = svc.transactionManager();
        try (jakarta.jms.XAConnection c = broker.xaConnectionFactory().createXAConnection(); jakarta.jms.XASession session = c.createXASession()) {
            tm.begin();
            XAConnection xc = enlistAndInsert(tm, 5);
            broker.restart(); // the session's connection is gone, as in the pool right after a broker restart
            assertThrows(SystemException.class,
                    () -> tm.getTransaction().enlistResource(PledgeXAResource.named("restart-broker", false, session.getXAResource())));
            // a caller that goes on and commits (as @Transactional does after a checked JMSException) gets a rollback
            assertThrows(RollbackException.class, tm::commit);
            xc.close();
        }
        assertEquals(0, rows(5));
    }

    /**
     * Why {@link TestBroker} turns auto-delete off: with Artemis's defaults the queue, empty but for
     * the prepared message, is removed when the broker starts, and the commit loses the message.
     * Fails (and can go, with the warning in docs/driver-facts.md and docs/jms-and-bridge.md) once Artemis keeps such queues.
     */
    @Test
    void artemisDeletesAnAutoCreatedQueueHoldingOnlyAPreparedMessageWhenItRestarts() throws Exception {
        start(true);
        assertTrue(commitWithARestartDuringPrepare(svc.transactionManager(), 4));
        assertEquals(1, rows(4));
        assertEquals(List.of(), Messages.drain(Messages.plain(broker), "orders", 500), "Artemis kept the queue: drop the auto-delete caveat");
    }

    /** Commits, closes the connection, lets recovery finish what phase two left; returns whether it committed. */
    private boolean commit(TransactionManager tm, XAConnection xc) throws Exception {
        boolean committed;
        try {
            tm.commit();
            committed = true;
        } catch (RollbackException e) {
            committed = false;
        }
        xc.close();
        if (committed) {
            svc.recovery().runPass(); // a branch the broker prepared before a restart is finished by recovery
        }
        return committed;
    }

    /** Asserts that the row and the message both exist, or (rolled back) neither does. */
    private void assertBothOrNeither(boolean committed, int id) throws Exception {
        int rows = rows(id);
        List<Integer> messages = Messages.drain(Messages.plain(broker), "orders", 500);
        if (committed) {
            assertEquals(1, rows, "committed, but the row is missing");
            assertEquals(List.of(id), messages, "committed, but the message is missing");
        } else {
            assertEquals(0, rows, "rolled back, but the row is there");
            assertEquals(List.of(), messages, "rolled back, but the message is there");
        }
    }

    private XAConnection enlistAndInsert(TransactionManager tm, int id) throws Exception {
        XAConnection xc = h2.getXAConnection();
        tm.getTransaction().enlistResource(PledgeXAResource.named("restart-h2", false, xc.getXAResource()));
        try (Statement s = xc.getConnection().createStatement()) {
            s.executeUpdate("INSERT INTO orders VALUES (" + id + ")");
        }
        return xc;
    }

    private void send(int id) throws JMSException {
        try (Connection c = jms.createConnection()) {
            Session s = c.createSession();
            var m = s.createTextMessage("order " + id);
            m.setIntProperty(Messages.ID, id);
            s.createProducer(s.createQueue("orders")).send(m);
        }
    }

    private int rows(int id) throws Exception {
        try (var c = h2.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM orders WHERE id = " + id)) {
            r.next();
            return r.getInt(1);
        }
    }

    /** A branch with no state of its own that restarts the broker in its prepare, then votes yes. */
    private record RestartingResource(TestBroker broker) implements PledgeXAResource {
        @Override
        public String resourceName() {
            return "restarter";
        }

        @Override
        public boolean joinable() {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            try {
                broker.restart();
            } catch (Exception e) {
                fail("the broker did not restart", e);
            }
            return XA_OK;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public void start(Xid xid, int flags) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }
}
