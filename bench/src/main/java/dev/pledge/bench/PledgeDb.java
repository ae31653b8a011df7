package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Path;
import java.time.Duration;

/** Pledge with two {@link TransactionalDataSource}s (Agroal pools) and its durable journal. */
final class PledgeDb implements DbContender {
    private TransactionService svc;
    private TransactionalDataSource maria;
    private TransactionalDataSource pg;

    @Override
    public LoadLoop.Body start(DbServers servers, Path dir, int threads, int maxPoolSize) {
        svc = TransactionService.builder().nodeName("bench-db-pledge").logDirectory(dir.resolve("pledge-log"))
                .defaultTimeout(Duration.ofSeconds(60)).recoveryInterval(Duration.ZERO).build();
        maria = TransactionalDataSource.builder(svc).name("maria").xaDataSource(servers.mariadbXa()).maxPoolSize(maxPoolSize).build();
        pg = TransactionalDataSource.builder(svc).name("pg").xaDataSource(servers.postgresXa()).maxPoolSize(maxPoolSize).build();
        return thread -> Transfer.managed(svc.transactionManager(), maria, pg, thread);
    }

    @Override
    public long forces() {
        return svc.metrics().getLogForces();
    }

    @Override
    public void close() {
        maria.close();
        pg.close();
        svc.close();
    }
}
