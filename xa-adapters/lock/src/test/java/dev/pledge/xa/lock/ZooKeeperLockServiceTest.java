package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ZooKeeperLockServiceTest extends LockServiceContract {
    static TestingServer zk;
    final List<CuratorFramework> clients = new ArrayList<>();
    final String root = "/pledge-test/" + UUID.randomUUID();
    CuratorFramework client;

    @BeforeAll
    static void startZooKeeper() throws Exception {
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

    CuratorFramework newClient() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).sessionTimeoutMs(4_000)
                .connectionTimeoutMs(5_000).retryPolicy(new ExponentialBackoffRetry(50, 5)).build();
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
        clients.add(c);
        return c;
    }

    @Override
    LockService newLocks(TransactionManager tm) throws Exception {
        client = newClient();
        return LockService.builder(tm).zooKeeper(client, root).build();
    }

    @Override
    int contentionRounds() {
        return 12;
    }

    @Test
    void sessionExpiryDuringATransactionMakesPrepareVoteNo() throws Exception {
        RecordingResource db = new RecordingResource("db");
        tm.begin();
        tm.getTransaction().enlistResource(db);
        locks.lock("account-1");
        CountDownLatch lost = new CountDownLatch(1);
        client.getConnectionStateListenable().addListener((c, s) -> {
            if (s == ConnectionState.LOST) {
                lost.countDown();
            }
        });
        client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        assertTrue(lost.await(20, TimeUnit.SECONDS));
        assertTrue(client.blockUntilConnected(20, TimeUnit.SECONDS));
        RollbackException e = assertThrows(RollbackException.class, () -> tm.commit());
        assertTrue(e.getMessage().contains("voted no") && e.getMessage().contains(locks.name()), e.getMessage());
        assertEquals(List.of("start", "end", "prepare", "rollback"), db.calls, "the other resource is rolled back");
        // and the key is free for the next transaction
        inTransaction("account-1", LockMode.EXCLUSIVE, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void sessionExpiryBeforeAOnePhaseCommitRollsTheTransactionBack() throws Exception {
        tm.begin();
        locks.lock("account-2"); // the lock service is the only resource: one-phase commit
        CountDownLatch lost = new CountDownLatch(1);
        client.getConnectionStateListenable().addListener((c, s) -> {
            if (s == ConnectionState.LOST) {
                lost.countDown();
            }
        });
        client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        assertTrue(lost.await(20, TimeUnit.SECONDS));
        assertTrue(client.blockUntilConnected(20, TimeUnit.SECONDS));
        RollbackException e = assertThrows(RollbackException.class, () -> tm.commit());
        assertTrue(e.getMessage().contains(locks.name()), e.getMessage());
    }

    @Test
    void theFencingTokenIsTheCzxidOfTheRequestNodeUnderTheBasePathAndTheServiceName() throws Exception {
        tm.begin();
        LockGrant g = locks.lock("account-42");
        String queue = root + "/" + locks.name() + "/keys/k-account-42";
        List<String> requests = client.getChildren().forPath(queue);
        assertEquals(1, requests.size(), requests.toString());
        org.apache.zookeeper.data.Stat stat = client.checkExists().forPath(queue + "/" + requests.get(0));
        assertEquals(stat.getCzxid(), g.fencingToken());
        tm.commit();
        assertEquals(List.of(), client.getChildren().forPath(queue), "released with the commit");
    }

    @Test
    void closingTheLockServiceLeavesTheCallersZooKeeperClientOpen() throws Exception {
        LockService other = LockService.builder(tm).name("closed-early").zooKeeper(client, root).build();
        other.close();
        assertEquals(org.apache.curator.framework.imps.CuratorFrameworkState.STARTED, client.getState());
        tm.begin();
        locks.lock("after-close"); // the service of the test still works on the same client
        tm.commit();
        assertTrue(client.checkExists().forPath(root) != null);
    }

    @Test
    void servicesOnOneBasePathShareTheirLocksOnlyUnderTheSameName() throws Exception {
        CuratorFramework second = newClient();
        try (LockService sameName = LockService.builder(tm).zooKeeper(second, root).build();
                LockService otherName = LockService.builder(tm).name("other-locks").zooKeeper(second, root).build()) {
            tm.begin();
            locks.lock("account-9");
            jakarta.transaction.Transaction holder = tm.suspend();
            tm.begin();
            assertThrows(LockTimeoutException.class, () -> sameName.tryLock("account-9", Duration.ofMillis(200)),
                    "the same name on the same path: the same lock table");
            LockGrant elsewhere = otherName.tryLock("account-9", Duration.ZERO); // another name: another table under the path
            assertEquals("account-9", elsewhere.key());
            tm.commit();
            tm.resume(holder);
            tm.commit();
        }
    }

    @Test
    void exclusiveHoldersNeverOverlapBetweenTwoJvms() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("counter"));
        Path out = dir.resolve("child.out");
        int threads = 4;
        int rounds = 20;
        Process child = ChildJvm.start(out, ZkContentionChild.class, zk.getConnectString(), root, shared.toString(),
                dir.resolve("child-log").toString(), Integer.toString(threads), Integer.toString(rounds));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(shared.resolve("ready"))) {
            assertTrue(child.isAlive() && System.nanoTime() < deadline, () -> "child did not start: " + read(out));
            Thread.sleep(20);
        }
        Files.createFile(shared.resolve("go"));
        int overlaps = ContentionLoop.run(tm, locks, new FileCounter(shared), "shared-counter", threads, rounds);
        ChildJvm.Result r = ChildJvm.await(child, out, 120);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("OVERLAPS 0"), r.output());
        assertEquals(0, overlaps);
        assertEquals(2L * threads * rounds, new FileCounter(shared).value(), "lost updates mean two holders at once");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
