package dev.pledge.xa.lock;

import dev.pledge.tm.TransactionService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The second JVM of the two-process contention test: its own Pledge service, the same
 * ZooKeeper lock path and counter directory. Args: connectString root counterDir logDir threads rounds.
 */
public final class ZkContentionChild {
    private ZkContentionChild() {
    }

    public static void main(String[] args) throws Exception {
        Path counterDir = Path.of(args[2]);
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(50, 5));
                TransactionService svc = TransactionService.builder().nodeName("child").logDirectory(Path.of(args[3]))
                        .recoveryInterval(Duration.ZERO).unsafeDisableFsync().build()) {
            zk.start();
            zk.blockUntilConnected();
            try (LockService locks = LockService.builder(svc.transactionManager()).zooKeeper(zk, args[1]).build()) {
                Files.createFile(counterDir.resolve("ready"));
                while (!Files.exists(counterDir.resolve("go"))) {
                    Thread.sleep(5);
                }
                int overlaps = ContentionLoop.run(svc.transactionManager(), locks, new FileCounter(counterDir), "shared-counter",
                        Integer.parseInt(args[4]), Integer.parseInt(args[5]));
                System.out.println("OVERLAPS " + overlaps);
            }
        }
        System.exit(0);
    }
}
