package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * Two JVMs ({@link LockTortureChild}) increment one counter row in PostgreSQL under one exclusive
 * ZooKeeper lock while the test kills them (kill -9, then starts them again on the same node
 * name and log) and restarts ZooKeeper at random. At the end the counter equals the number of
 * committed transactions (each inserts a row in the same transaction: no lost update), nothing is
 * left prepared, and the key is free.
 */
class LockTortureTest {
    static final String COUNTER = "lk_torture_counter";
    static final String LOG = "lk_torture_log";
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** A child JVM and its incarnations. */
    final class Child {
        final String node;
        final List<String> args;
        Process process;
        Path output;
        int incarnation;

        Child(String node, List<String> args) {
            this.node = node;
            this.args = args;
        }

        void start() throws Exception {
            output = dir.resolve(node + "-" + (++incarnation) + ".out");
            process = ChildJvm.start(output, LockTortureChild.class, args.toArray(new String[0]));
        }

        void kill() throws Exception {
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Connection postgres() throws Exception {
        PGXADataSource pg = new PGXADataSource();
        pg.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
        pg.setUser("postgres");
        return pg.getConnection();
    }

    private static long query(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void twoJvmsIncrementingACounterUnderOneLockLoseNoUpdateThroughKillsAndZooKeeperRestarts() throws Exception {
        try (Connection c = postgres(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + COUNTER);
            s.execute("DROP TABLE IF EXISTS " + LOG);
            s.execute("CREATE TABLE " + COUNTER + " (id INT PRIMARY KEY, v INT NOT NULL)");
            s.execute("INSERT INTO " + COUNTER + " VALUES (1, 0)");
            s.execute("CREATE TABLE " + LOG + " (id TEXT PRIMARY KEY, node TEXT NOT NULL)");
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String root = "/torture/" + UUID.randomUUID();
        Path stop = dir.resolve("stop");
        int kills = 0;
        int zkRestarts = 0;
        try (TestingServer zk = new TestingServer(true)) {
            List<Child> children = new ArrayList<>();
            for (String node : List.of("torture-a", "torture-b")) {
                children.add(new Child(node, List.of(node, dir.resolve("log-" + node).toString(), zk.getConnectString(), root, COUNTER, LOG,
                        stop.toString())));
            }
            for (Child ch : children) {
                ch.start();
            }
            long end = System.nanoTime() + RUN.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(2_000 + random.nextInt(3_000));
                if (random.nextInt(3) < 2) {
                    Child victim = children.get(random.nextInt(children.size()));
                    victim.kill();
                    kills++;
                    victim.start();
                } else {
                    zk.restart();
                    zkRestarts++;
                }
            }
            Files.createFile(stop);
            for (Child ch : children) {
                if (!ch.process.waitFor(120, TimeUnit.SECONDS)) {
                    ch.kill();
                    throw new AssertionError(ch.node + " did not stop; output:\n" + Files.readString(ch.output));
                }
                assertEquals(0, ch.process.exitValue(), ch.node + " did not end with a clean recovery:\n" + Files.readString(ch.output));
            }

            String context = "seed " + seed + ", " + kills + " kills, " + zkRestarts + " ZooKeeper restarts";
            try (Connection c = postgres()) {
                long counter = query(c, "SELECT v FROM " + COUNTER + " WHERE id = 1");
                long committed = query(c, "SELECT count(*) FROM " + LOG);
                assertTrue(committed > 0, "no transaction committed; " + context);
                assertEquals(committed, counter, "lost updates: the counter must equal the committed transactions; " + context);
                // 'torture-' as the start of a base64-encoded gtrid in pgjdbc's gid
                assertEquals(0, query(c, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE '%\\_dG9ydHVyZS1%'"),
                        "nothing of the children is left prepared; " + context);
                System.out.println("Lock torture: " + committed + " committed transactions, " + context);
            }

            // every key is free
            try (CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new ExponentialBackoffRetry(50, 5));
                    TransactionService svc = TransactionService.builder().nodeName("torture-check").logDirectory(dir.resolve("log-check"))
                            .recoveryInterval(Duration.ZERO).unsafeDisableFsync().build()) {
                client.start();
                assertTrue(client.blockUntilConnected(10, TimeUnit.SECONDS));
                assertEquals(List.of(), client.getChildren().forPath(root + "/locks/prepared"), "no prepared lock is left; " + context);
                TransactionManager tm = svc.transactionManager();
                try (LockService locks = LockService.builder(tm).zooKeeper(client, root).build()) {
                    tm.begin();
                    locks.tryLock("lk-torture", Duration.ofSeconds(15)); // the children's sessions are closed or expired
                    tm.commit();
                }
                String keyDir = root + "/locks/keys/" + ZkNode.keyDirectory("lk-torture");
                List<String> left = client.checkExists().forPath(keyDir) == null ? List.of() : client.getChildren().forPath(keyDir);
                assertEquals(List.of(), left, "no lock node is left; " + context);
            }
        }
    }
}
