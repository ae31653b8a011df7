package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerResourcePlugin;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipelined bridge's branch on a real Artemis broker: moved on a working session, completed on a
 * control session, and then the bridge's connection dies (failed on the broker's side, as when its
 * JVM is killed). What the broker does then decides whether a message is lost, duplicated or stuck.
 */
class PipelinedBranchOnArtemisTest {
    @TempDir
    Path tmp;

    TestBroker broker;
    XAConnection connection;

    @BeforeEach
    void setUp() throws Exception {
        broker = TestBroker.start("pipelined-branch", tmp.resolve("broker"), removals);
    }

    /** The global ids of the branches the broker removes from its resource manager (commit, rollback, failed session). */
    static final class Removals implements ActiveMQServerResourcePlugin {
        private final List<String> gtrids = new CopyOnWriteArrayList<>();

        @Override
        public void afterRemoveTransaction(Xid xid, RemotingConnection connection) {
            if (xid.getFormatId() == 4711) {
                gtrids.add(new String(xid.getGlobalTransactionId(), StandardCharsets.US_ASCII));
            }
        }

        List<String> gtrids() {
            return List.copyOf(gtrids);
        }
    }

    private final Removals removals = new Removals();

    private void awaitSessionsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (broker.sessionCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "the broker did not close the failed sessions");
            Thread.sleep(10);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // already failed by the test
            }
        }
        broker.close();
    }

    private record TestXid(String gtrid) implements Xid {
        @Override
        public int getFormatId() {
            return 4711;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {1};
        }
    }

    /** Receives {@code count} messages from "in" in branch {@code xid} on a working session and ends it. */
    private BridgeXAResource consumeAndEnd(Xid xid, int count, int timeoutSeconds) throws Exception {
        connection = broker.xaConnectionFactory().createXAConnection();
        XASession work = connection.createXASession();
        BlockingQueue<XAResource> control = new ArrayBlockingQueue<>(1);
        control.add(connection.createXASession().getXAResource());
        BridgeXAResource branch = new BridgeXAResource("broker", work.getXAResource(), control, null, 10_000);
        MessageConsumer consumer = work.createConsumer(work.createQueue("in"));
        connection.start();
        branch.setTransactionTimeout(timeoutSeconds);
        branch.start(xid, XAResource.TMNOFLAGS);
        for (int i = 0; i < count; i++) {
            Message m = consumer.receive(5000);
            assertNotNull(m, "message " + i + " of " + count);
        }
        branch.end(xid, XAResource.TMSUCCESS);
        return branch;
    }

    @Test
    void aBranchCommittedOnAControlSessionStaysCommittedWhenTheBridgeConnectionDies() throws Exception {
        Messages.send(Messages.plain(broker), "in", 0, 10);
        Xid xid = new TestXid("committed-elsewhere");
        BridgeXAResource branch = consumeAndEnd(xid, 10, 60);
        assertEquals(XAResource.XA_OK, branch.prepare(xid));
        branch.commit(xid, false);

        broker.failConnections();
        awaitSessionsClosed();

        // Without the working session letting go of the branch, the broker rolls the committed branch back
        // once more while closing the failed session ("Cannot find tx with id" in its journal) and removes it
        // from its resource manager a second time.
        assertEquals(List.of("committed-elsewhere"), removals.gtrids(), "branches the broker removed from its resource manager");
        assertEquals(List.of(), Messages.drain(Messages.plain(broker), "in", 500), "the committed messages came back");
        assertEquals(0, broker.messageCount("in"));
    }

    @Test
    void aBranchEndedButNotPreparedWhenTheBridgeConnectionDiesIsRolledBackByTheTransactionTimeout() throws Exception {
        Messages.send(Messages.plain(broker), "in", 0, 10);
        Xid xid = new TestXid("ended-not-prepared");
        consumeAndEnd(xid, 10, 2);

        broker.failConnections();
        awaitSessionsClosed();

        // nothing was decided: after the 2 s timeout the broker rolls the branch back and the messages are delivered again
        List<Integer> again = Messages.drain(Messages.plain(broker), "in", 6000);
        assertEquals(IntStream.range(0, 10).boxed().toList(), again.stream().sorted().toList());
    }
}
