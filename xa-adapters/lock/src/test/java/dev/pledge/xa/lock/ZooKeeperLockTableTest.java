package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.xa.lock.TestIds.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ZooKeeperLockTableTest extends LockTableContract {
    static TestingServer zk;
    final List<CuratorFramework> clients = new ArrayList<>();
    final String root = "/pledge-test/" + UUID.randomUUID();

    @BeforeAll
    static void startZooKeeper() throws Exception {
        // empty container nodes are removed within 100 ms instead of a minute, so the tests see it
        System.setProperty("znode.container.checkIntervalMs", "100");
        zk = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zk.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(CuratorFramework::close);
    }

    CuratorFramework client() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).sessionTimeoutMs(4_000)
                .connectionTimeoutMs(5_000).retryPolicy(new ExponentialBackoffRetry(50, 5)).build();
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
        clients.add(c);
        return c;
    }

    @Override
    LockBackend newTable() throws Exception {
        return new ZooKeeperLockBackend(client(), root);
    }

    @Override
    int contentionRounds() {
        return 15;
    }

    @Override
    int queueLength(String key) throws Exception {
        CuratorFramework c = clients.get(0);
        String dir = root + "/keys/" + ZkNode.keyDirectory(key);
        return c.checkExists().forPath(dir) == null ? 0 : c.getChildren().forPath(dir).size();
    }

    @Test
    void exclusiveHoldersNeverOverlapBetweenTwoClients() throws Exception {
        LockBackend other = new ZooKeeperLockBackend(client(), root);
        Tx a = ids.next();
        Tx b = ids.next();
        table.acquire(a.owner(), "shared-key", LockMode.EXCLUSIVE, SHORT);
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> other.acquire(b.owner(), "shared-key", LockMode.EXCLUSIVE, SHORT));
        assertTrue(e.holders().contains(a.owner().toString()), e.holders());
        table.release(a.xid());
        other.acquire(b.owner(), "shared-key", LockMode.EXCLUSIVE, SHORT);
        other.release(b.xid());
    }

    @Test
    void sessionExpiryBeforePrepareMakesItVoteRollback() throws Exception {
        CuratorFramework c = client();
        LockBackend mine = new ZooKeeperLockBackend(c, root);
        Tx a = ids.next();
        long staleToken = mine.acquire(a.owner(), "expiring", LockMode.EXCLUSIVE, SHORT).fencingToken();
        java.util.concurrent.atomic.AtomicLong highestSeen = new java.util.concurrent.atomic.AtomicLong(); // the protected resource
        assertTrue(fencedWrite(highestSeen, staleToken));
        java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
        c.getConnectionStateListenable().addListener((cl, s) -> {
            if (s == ConnectionState.LOST) {
                lost.countDown();
            }
        });
        c.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        assertTrue(lost.await(20, TimeUnit.SECONDS), "session loss not seen");
        assertTrue(c.blockUntilConnected(20, TimeUnit.SECONDS), "no new session");
        // another process can take the key at once: the expired session's node is gone
        Tx b = ids.next();
        long newToken = table.acquire(b.owner(), "expiring", LockMode.EXCLUSIVE, LONG).fencingToken();
        assertTrue(fencedWrite(highestSeen, newToken), "the new holder writes");
        assertTrue(!fencedWrite(highestSeen, staleToken), "the stale holder is rejected by its token");
        XAException no = assertThrows(XAException.class, () -> mine.prepare(a.owner(), a.xid()));
        assertEquals(XAException.XA_RBROLLBACK, no.errorCode);
        assertEquals(List.of(), mine.prepared());
        table.release(b.xid());
    }

    @Test
    void prepareFailsAsAWholeWhenTheNodeIsGoneEvenWithoutALostEvent() throws Exception {
        CuratorFramework c = client();
        LockBackend mine = new ZooKeeperLockBackend(c, root);
        Tx a = ids.next();
        mine.acquire(a.owner(), "one", LockMode.EXCLUSIVE, SHORT);
        mine.acquire(a.owner(), "two", LockMode.EXCLUSIVE, SHORT);
        // the node of "two" disappears behind the backend's back (as after an expiry it has not heard of yet)
        String dir = root + "/keys/" + ZkNode.keyDirectory("two");
        for (String child : c.getChildren().forPath(dir)) {
            c.delete().forPath(dir + "/" + child);
        }
        XAException no = assertThrows(XAException.class, () -> mine.prepare(a.owner(), a.xid()));
        assertEquals(XAException.XA_RBROLLBACK, no.errorCode);
        assertEquals(List.of(), mine.prepared(), "no partial prepared record");
        Tx b = ids.next();
        table.acquire(b.owner(), "one", LockMode.EXCLUSIVE, SHORT); // released after the no vote
        table.release(b.xid());
    }

    @Test
    void preparedLocksOutliveTheSessionThatPreparedThem() throws Exception {
        CuratorFramework c = client();
        LockBackend coordinator = new ZooKeeperLockBackend(c, root);
        Tx a = ids.next();
        Tx unprepared = ids.next();
        coordinator.acquire(a.owner(), "acct-1", LockMode.EXCLUSIVE, SHORT);
        coordinator.acquire(unprepared.owner(), "acct-2", LockMode.EXCLUSIVE, SHORT);
        assertEquals(XAResource.XA_OK, coordinator.prepare(a.owner(), a.xid()));
        c.close(); // the session ends: ephemeral nodes go, prepared ones stay
        Tx b = ids.next();
        table.acquire(b.owner(), "acct-2", LockMode.EXCLUSIVE, LONG);
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> table.acquire(b.owner(), "acct-1", LockMode.SHARED, SHORT));
        assertTrue(e.holders().contains("prepared"), e.holders());
        assertEquals(List.of(a.xid()), table.prepared());
        assertTrue(table.release(a.xid()), "recovery's commit or rollback releases them");
        assertEquals(List.of(), table.prepared());
        table.acquire(b.owner(), "acct-1", LockMode.EXCLUSIVE, LONG);
        table.release(b.xid());
    }

    @Test
    void aCrashAfterTheBranchCommittedButBeforeTheTransactionCompletedFreesTheKeysWithTheSession() throws Exception {
        CuratorFramework c = client();
        LockBackend coordinator = new ZooKeeperLockBackend(c, root);
        Tx a = ids.next();
        coordinator.acquire(a.owner(), "acct-3", LockMode.EXCLUSIVE, SHORT);
        assertEquals(XAResource.XA_OK, coordinator.prepare(a.owner(), a.xid()));
        assertTrue(coordinator.settle(a.xid()));
        assertEquals(List.of(), table.prepared(), "the prepared record is deleted by the branch's commit");
        Tx b = ids.next();
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> table.acquire(b.owner(), "acct-3", LockMode.SHARED, SHORT));
        assertTrue(e.holders().contains("holding"), "held again by an ephemeral node, not a prepared one: " + e.holders());
        c.close(); // the coordinator dies before afterCompletion: its session ends and takes the nodes along
        table.acquire(b.owner(), "acct-3", LockMode.EXCLUSIVE, LONG);
        assertEquals(1, queueLength("acct-3"), "no persistent node of the committed branch is left");
        table.release(b.xid());
    }

    @Test
    void prepareStillWorksAfterEveryPreparedRecordAndKeyWasRemoved() throws Exception {
        for (int i = 0; i < 2; i++) {
            Tx a = ids.next();
            table.acquire(a.owner(), "again", LockMode.EXCLUSIVE, SHORT);
            assertEquals(XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
            assertTrue(table.release(a.xid()));
            Thread.sleep(600); // long enough for the server to remove empty containers
        }
    }

    /** A resource that accepts a write only with a token at least as large as any it has seen. */
    static boolean fencedWrite(java.util.concurrent.atomic.AtomicLong highestSeen, long token) {
        return highestSeen.accumulateAndGet(token, Math::max) == token;
    }
}
