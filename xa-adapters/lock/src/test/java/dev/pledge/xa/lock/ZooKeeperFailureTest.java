package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock service on ZooKeeper when the network fails: a client ("A") talks to the test server
 * through a {@link ZkProxy} that loses replies or cuts the connection, another ("B") directly.
 */
class ZooKeeperFailureTest {
    static TestingServer zk;
    @TempDir
    Path dir;
    final List<AutoCloseable> closeables = new ArrayList<>();
    final String root = "/pledge-failure/" + UUID.randomUUID();
    TransactionService svc;
    TransactionManager tm;
    ZkProxy proxy;
    CuratorFramework viaProxy;
    CuratorFramework direct;
    LockService locksA;
    LockService locksB;
    ExecutorService pool;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zk.close();
    }

    @BeforeEach
    void start() throws Exception {
        svc = TransactionService.builder().nodeName("zkfail").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
        tm = svc.transactionManager();
        proxy = new ZkProxy(zk.getConnectString());
        // a long session and short retries: an outage outlasts Curator's retries, never the session
        viaProxy = client(proxy.connectString());
        direct = client(zk.getConnectString());
        locksA = LockService.builder(tm).zooKeeper(viaProxy, root).build();
        locksB = LockService.builder(tm).zooKeeper(direct, root).build();
        pool = Executors.newCachedThreadPool();
    }

    private CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(30_000)
                .connectionTimeoutMs(1_000).retryPolicy(new RetryNTimes(2, 100)).build();
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        locksA.close();
        locksB.close();
        viaProxy.close();
        direct.close();
        proxy.close();
        svc.close();
    }

    /** A transaction that locks {@code key} with {@code locks} and commits, on a pool thread. */
    Future<LockGrant> lockAndCommit(LockService locks, String key, Duration wait) {
        return pool.submit(() -> {
            tm.begin();
            try {
                LockGrant g = locks.tryLock(key, LockMode.EXCLUSIVE, wait);
                tm.commit();
                return g;
            } catch (RuntimeException e) {
                tm.rollback();
                throw e;
            }
        });
    }

    @Test
    void aLockRequestWhileZooKeeperIsUnreachableFailsWithALockExceptionNamingTheKeyAndTheKeyWorksOnceItIsBack() throws Exception {
        proxy.blackout();
        tm.begin();
        long t0 = System.nanoTime();
        LockException e = assertThrows(LockException.class, () -> locksA.tryLock("lk-outage", LockMode.EXCLUSIVE, Duration.ofSeconds(30)));
        long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(e instanceof LockTimeoutException, "a backend failure, not a wait that ran out: " + e);
        assertTrue(e.getMessage().contains("'lk-outage'") && e.getMessage().contains("ZooKeeper"), e.getMessage());
        assertTrue(failedAfterMs < 30_000, "failed after " + failedAfterMs + " ms, not at the end of the 30 s wait");
        proxy.restore();
        tm.rollback();
        assertTrue(viaProxy.blockUntilConnected(20, TimeUnit.SECONDS));
        lockAndCommit(locksA, "lk-outage", Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
        lockAndCommit(locksB, "lk-outage", Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aReleaseThatFailsWhileZooKeeperIsUnreachableIsRetriedUntilTheKeyIsFreeWithinTheSameSession() throws Exception {
        long session = viaProxy.getZookeeperClient().getZooKeeper().getSessionId();
        tm.begin();
        // registered before the lock, so it runs first after completion: ZooKeeper becomes unreachable just before the release
        tm.getTransaction().registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                proxy.blackout();
            }
        });
        tm.getTransaction().enlistResource(new RecordingResource("db")); // two phases: the keys are released after completion
        LockGrant first = locksA.lock("lk-release");
        tm.commit();
        assertEquals(1, locksA.metrics().pendingReleases(), "the failed release waits for a retry: " + locksA.metrics());
        assertTrue(locksA.metrics().failedReleaseAttempts() >= 1);

        Future<LockGrant> next = lockAndCommit(locksB, "lk-release", Duration.ofSeconds(20));
        LockTableContract.assertStillWaiting(next); // the key is still held: its ephemeral node lives on
        Thread.sleep(2_000);
        proxy.restore();
        long restored = System.nanoTime();
        LockGrant second = next.get(20, TimeUnit.SECONDS);
        long afterRestoreMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restored);
        assertTrue(second.fencingToken() > first.fencingToken());
        assertTrue(afterRestoreMs < 10_000, "granted " + afterRestoreMs + " ms after ZooKeeper came back, well before the 30 s session"
                + " could have ended");
        assertEquals(session, viaProxy.getZookeeperClient().getZooKeeper().getSessionId(), "the same session: the retry freed the key");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // the retry ends with a look at the prepared record
        while (locksA.metrics().pendingReleases() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, locksA.metrics().pendingReleases(), locksA.metrics().toString());
        assertEquals(1, locksA.metrics().retriedReleases(), locksA.metrics().toString());
    }

    @Test
    void aLockRequestWhoseCreateReplyIsLostStillGetsAFencingTokenLargerThanThePreviousHolders() throws Exception {
        tm.begin();
        LockGrant previous = locksB.lock("lk-token");
        jakarta.transaction.Transaction holder = tm.suspend();

        proxy.loseNextReplyTo(ZkProxy.CREATE2); // the request node is created, its reply (with the Stat) never arrives
        Future<LockGrant> next = lockAndCommit(locksA, "lk-token", Duration.ofSeconds(20));
        LockTableContract.assertStillWaiting(next);
        tm.resume(holder);
        tm.commit();
        LockGrant granted = next.get(20, TimeUnit.SECONDS);
        assertEquals(1, proxy.lostReplies(), "the create's reply was lost and Curator found the node by its protected name");
        assertTrue(granted.fencingToken() > previous.fencingToken(), "fencing token went backwards: " + granted.fencingToken()
                + " after " + previous.fencingToken());
    }

    /** A branch that votes no, so the prepared lock branch is rolled back (its settle swaps its nodes back to ephemeral). */
    static final class NoVoter implements javax.transaction.xa.XAResource {
        @Override
        public void start(javax.transaction.xa.Xid xid, int flags) {
        }

        @Override
        public void end(javax.transaction.xa.Xid xid, int flags) {
        }

        @Override
        public int prepare(javax.transaction.xa.Xid xid) throws javax.transaction.xa.XAException {
            throw new javax.transaction.xa.XAException(javax.transaction.xa.XAException.XA_RBROLLBACK);
        }

        @Override
        public void commit(javax.transaction.xa.Xid xid, boolean onePhase) {
        }

        @Override
        public void rollback(javax.transaction.xa.Xid xid) {
        }

        @Override
        public void forget(javax.transaction.xa.Xid xid) {
        }

        @Override
        public javax.transaction.xa.Xid[] recover(int flag) {
            return new javax.transaction.xa.Xid[0];
        }

        @Override
        public boolean isSameRM(javax.transaction.xa.XAResource other) {
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

    @Test
    void aSettleWhoseReplyIsLostLeavesNoOrphanNodeAndTheKeyIsFreeAfterTheTransaction() throws Exception {
        RecordingResource db = new RecordingResource("db", call -> {
            if (call.equals("rollback")) {
                proxy.loseNextReplyTo(ZkProxy.MULTI); // the next multi is the lock branch's settle, right after this rollback
            }
        });
        tm.begin();
        tm.getTransaction().enlistResource(db); // enlisted first: its phase two runs before the lock branch's
        LockGrant mine = locksA.lock("lk-settle");
        tm.getTransaction().enlistResource(new NoVoter()); // prepared locks, then a no vote: the lock branch settles in rollback
        org.junit.jupiter.api.Assertions.assertThrows(jakarta.transaction.RollbackException.class, tm::commit);
        assertEquals(1, proxy.lostReplies(), "the settle's multi applied and its reply was lost");

        String keyDir = root + "/locks/keys/" + ZkNode.keyDirectory("lk-settle");
        java.util.List<String> left = direct.checkExists().forPath(keyDir) == null ? java.util.List.of()
                : direct.getChildren().forPath(keyDir);
        assertEquals(java.util.List.of(), left, "no request node may outlive the transaction");
        assertEquals(java.util.List.of(), direct.getChildren().forPath(root + "/locks/prepared"));
        LockGrant next = lockAndCommit(locksB, "lk-settle", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertTrue(next.fencingToken() > mine.fencingToken());
    }

    @Test
    void aOnePhaseCommitWhoseReplyIsLostCommitsAndFreesTheKey() throws Exception {
        tm.begin();
        LockGrant mine = locksA.lock("lk-one-phase");
        proxy.loseNextReplyTo(ZkProxy.MULTI); // the one-phase commit's delete applies, its reply is lost, Curator retries it
        tm.commit(); // the locks are the only branch: one phase; a NoNode on the retry is our own delete, not a lost lock
        assertEquals(1, proxy.lostReplies());
        LockGrant next = lockAndCommit(locksB, "lk-one-phase", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertTrue(next.fencingToken() > mine.fencingToken());
        assertEquals(0, locksA.metrics().pendingReleases(), locksA.metrics().toString());
    }

    @Test
    void aReleaseRetriedAfterItsSessionWasKilledDeletesTheDeadSessionsNodeAtOnce() throws Exception {
        tm.begin();
        tm.getTransaction().registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                proxy.blackout();
            }
        });
        tm.getTransaction().enlistResource(new RecordingResource("db"));
        LockGrant first = locksA.lock("lk-killed");
        tm.commit();
        assertEquals(1, locksA.metrics().pendingReleases(), locksA.metrics().toString());
        // the client's session ends while ZooKeeper is unreachable; the server keeps the node until the 30 s timeout
        org.apache.curator.test.KillSession.kill(viaProxy.getZookeeperClient().getZooKeeper());
        Future<LockGrant> next = lockAndCommit(locksB, "lk-killed", Duration.ofSeconds(20));
        LockTableContract.assertStillWaiting(next);
        proxy.restore();
        long restored = System.nanoTime();
        LockGrant second = next.get(20, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restored);
        assertTrue(ms < 10_000, "granted " + ms + " ms after ZooKeeper came back: the retry deleted the node, not the session timeout");
        assertTrue(second.fencingToken() > first.fencingToken());
    }
}
