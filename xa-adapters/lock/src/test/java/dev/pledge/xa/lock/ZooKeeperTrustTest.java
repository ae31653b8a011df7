package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the ZooKeeper backend trusts: a prepared record is data that any client with write access
 * could forge, so recovery deletes only the record's own prepared nodes; and an ensemble whose lock
 * nodes anyone may change is detected (and warned about), while a digest-authenticated client with a
 * creator-only ACL keeps other clients from deleting its lock nodes.
 */
class ZooKeeperTrustTest {
    static TestingServer zk;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
    }

    private static CuratorFramework client(CuratorFrameworkFactory.Builder b) throws InterruptedException {
        CuratorFramework c = b.connectString(zk.getConnectString()).sessionTimeoutMs(4_000).connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(50, 5)).build();
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
        return c;
    }

    @Test
    void recoveryDeletesOnlyThePreparedNodesOfTheRecordsOwnTransactionNotWhatAForgedRecordLists() throws Exception {
        try (CuratorFramework c = client(CuratorFrameworkFactory.builder())) {
            String root = "/pledge-trust/" + UUID.randomUUID();
            ZooKeeperLockBackend backend = new ZooKeeperLockBackend(c, root);
            c.create().creatingParentsIfNeeded().forPath("/app/important", "keep me".getBytes(StandardCharsets.UTF_8));
            Xids.SimpleXid xid = new Xids.SimpleXid(0x504C4447, new byte[] {1, 2, 3}, new byte[] {1});
            Xids.SimpleXid other = new Xids.SimpleXid(0x504C4447, new byte[] {9, 9, 9}, new byte[] {1});
            String ownNode = root + "/keys/k-a/x_" + Xids.gtridHex(xid) + "_0000000001_p";
            String othersNode = root + "/keys/k-a/x_" + Xids.gtridHex(other) + "_0000000002_p";
            c.create().creatingParentsIfNeeded().forPath(ownNode);
            c.create().creatingParentsIfNeeded().forPath(othersNode);
            String forged = String.join("\n", List.of(ownNode, "/app/important", othersNode, root + "/keys/k-a/../../../app/important"));
            c.create().forPath(root + "/prepared/" + Xids.encode(xid), forged.getBytes(StandardCharsets.UTF_8));

            assertTrue(backend.release(xid));

            assertNull(c.checkExists().forPath(ownNode), "the transaction's own prepared node is released");
            assertNotNull(c.checkExists().forPath("/app/important"), "an unrelated application's node is never deleted");
            assertNotNull(c.checkExists().forPath(othersNode), "another transaction's lock node is never deleted");
            assertNull(c.checkExists().forPath(root + "/prepared/" + Xids.encode(xid)), "the record itself is gone");
            backend.close();
        }
    }

    @Test
    void withCuratorsDefaultsAnyoneMayChangeTheLockNodesAndThisIsDetected() throws Exception {
        try (CuratorFramework c = client(CuratorFrameworkFactory.builder())) {
            String root = "/pledge-trust/" + UUID.randomUUID();
            ZooKeeperLockBackend backend = new ZooKeeperLockBackend(c, root); // logs the warning
            assertTrue(ZooKeeperLockBackend.openToAnyone(c, root + "/keys"));
            backend.close();
        }
    }

    @Test
    void aDigestAuthenticatedClientWithACreatorOnlyAclKeepsOtherClientsFromItsLockNodes() throws Exception {
        ACLProvider creatorOnly = new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }
        };
        String root = "/pledge-locked/" + UUID.randomUUID();
        try (CuratorFramework pledge = client(CuratorFrameworkFactory.builder().authorization("digest", "pledge:s3cret".getBytes(StandardCharsets.UTF_8))
                .aclProvider(creatorOnly));
                CuratorFramework stranger = client(CuratorFrameworkFactory.builder())) {
            ZooKeeperLockBackend backend = new ZooKeeperLockBackend(pledge, root);
            assertFalse(ZooKeeperLockBackend.openToAnyone(pledge, root + "/keys"), "no warning for a locked-down setup");
            String node = root + "/keys/k-a/x_010203_0000000001";
            pledge.create().creatingParentsIfNeeded().forPath(node);
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.delete().forPath(node));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.create().forPath(root + "/keys/k-a/x_0909_0000000002"));
            assertNotNull(pledge.checkExists().forPath(node));
            backend.close();
        }
    }
}
