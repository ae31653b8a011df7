package dev.pledge.xa.lock;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.postgresql.xa.PGXADataSource;

/**
 * One JVM of the lock torture test: transactions that, under an exclusive ZooKeeper lock, read a
 * counter row in PostgreSQL, write it back plus one and insert a row naming the transaction,
 * until the stop file appears; then it runs recovery until clean and exits 0. It may be killed
 * (kill -9) at any point, and is then started again with the same node name and log.
 * Args: node logDir connectString root counterTable logTable stopFile.
 */
public final class LockTortureChild {
    private LockTortureChild() {
    }

    public static void main(String[] args) throws Exception {
        String node = args[0];
        String counter = args[4];
        String logTable = args[5];
        Path stop = Path.of(args[6]);
        PGXADataSource pg = new PGXADataSource();
        pg.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
        pg.setUser("postgres");
        pg.setConnectTimeout(3);
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(args[2]).sessionTimeoutMs(4_000).connectionTimeoutMs(2_000)
                .retryPolicy(new ExponentialBackoffRetry(50, 4)).build();
        zk.start();
        zk.blockUntilConnected();
        TransactionService svc = TransactionService.builder().nodeName(node).logDirectory(Path.of(args[1]))
                .recoveryInterval(Duration.ofSeconds(1)).build();
        TransactionManager tm = svc.transactionManager();
        TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("pg").xaDataSource(pg).joinable(false).maxPoolSize(2)
                .acquisitionTimeout(Duration.ofSeconds(10)).build();
        LockService locks = LockService.builder(tm).zooKeeper(zk, args[3]).defaultTimeout(Duration.ofSeconds(10)).build();
        svc.recovery().register(locks.name(), locks::recoveryResource);
        System.out.println("STARTED " + node);
        int committed = 0;
        int failed = 0;
        while (!Files.exists(stop)) {
            try {
                tm.begin();
                locks.lock("lk-torture");
                int v;
                try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT v FROM " + counter + " WHERE id = 1")) {
                    rs.next();
                    v = rs.getInt(1);
                }
                try (Connection c = ds.getConnection(); PreparedStatement up = c.prepareStatement("UPDATE " + counter + " SET v = ? WHERE id = 1");
                        PreparedStatement in = c.prepareStatement("INSERT INTO " + logTable + " (id, node) VALUES (?, ?)")) {
                    up.setInt(1, v + 1);
                    up.executeUpdate();
                    in.setString(1, UUID.randomUUID().toString());
                    in.setString(2, node);
                    in.executeUpdate();
                }
                tm.commit();
                committed++;
                if (committed % 20 == 0) {
                    System.out.println("COMMITTED " + committed);
                }
            } catch (Exception e) {
                failed++;
                System.out.println("FAILED " + e);
                try {
                    if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                        tm.rollback();
                    }
                } catch (Exception ignored) {
                    // already over
                }
                Thread.sleep(50);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        RecoveryReport report = svc.recovery().runPass();
        while (!report.isClean() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            report = svc.recovery().runPass();
        }
        System.out.println("STOPPED committed " + committed + " failed " + failed + "; last recovery pass " + report);
        locks.close();
        ds.close();
        svc.close();
        zk.close();
        System.exit(report.isClean() ? 0 : 4);
    }
}
