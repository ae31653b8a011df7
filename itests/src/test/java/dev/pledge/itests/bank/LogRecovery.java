package dev.pledge.itests.bank;

import dev.pledge.itests.Servers;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import dev.pledge.xa.lock.LockService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Recovery of a coordinator's log by a new transaction service in the test JVM: the same node
 * name, the bank's resources under the same names, one recovery pass.
 */
final class LogRecovery {
    private LogRecovery() {
    }

    static RecoveryReport recover(Path log, String node, BankConfig config) throws InterruptedException {
        return recover(log, node, config, null);
    }

    /**
     * The same with the node-name claim taken in {@code claims} (null: the build's default): only for a
     * node name whose live service in this JVM has prepared nothing yet, whose claim would refuse this pass.
     */
    static RecoveryReport recover(Path log, String node, BankConfig config, Path claims) throws InterruptedException {
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(config.zooKeeper(), new ExponentialBackoffRetry(50, 5))) {
            zk.start();
            if (!zk.blockUntilConnected(20, TimeUnit.SECONDS)) {
                throw new AssertionError("ZooKeeper at " + config.zooKeeper() + " did not answer within 20 s");
            }
            TransactionService.Builder builder = TransactionService.builder().nodeName(node).logDirectory(log).recoveryInterval(Duration.ZERO);
            if (claims != null) {
                builder.nodeLockDirectory(claims);
            }
            try (TransactionService svc = builder.build();
                    TransactionalDataSource m = TransactionalDataSource.builder(svc).name(BankConfig.MARIADB)
                            .xaDataSource(PrivateMariaDb.xaDataSource(config.mariaDbPort(), BankConfig.DATABASE)).maxPoolSize(1).build();
                    TransactionalDataSource p = TransactionalDataSource.builder(svc).name(BankConfig.POSTGRES)
                            .xaDataSource(Servers.postgres(BankConfig.DATABASE)).maxPoolSize(1).build();
                    TransactionalConnectionFactory jms = TransactionalConnectionFactory.builder(svc).name(BankConfig.BROKER)
                            .xaConnectionFactory(new ActiveMQXAConnectionFactory(config.brokerUrl())).build();
                    LockService locks = LockService.builder(svc.transactionManager()).name(BankConfig.LOCKS)
                            .zooKeeper(zk, BankConfig.LOCK_PATH).build()) {
                svc.recovery().register(locks.name(), locks::recoveryResource);
                return svc.recovery().runPass();
            }
        }
    }
}
