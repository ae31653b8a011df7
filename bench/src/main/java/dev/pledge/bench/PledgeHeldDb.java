package dev.pledge.bench;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.XAConnection;

/**
 * Pledge's transaction manager on connections each thread holds, as the hand-written contender does:
 * no pool and no data source, the driver's XAResources enlisted by hand. Against {@link PledgeDb} it
 * shows what the pool and automatic enlistment cost; against {@link HandWrittenXa}, what the
 * coordinator and its shared log cost.
 */
final class PledgeHeldDb implements DbContender {
    private final List<AutoCloseable> open = new ArrayList<>();
    private TransactionService svc;

    @Override
    public LoadLoop.Body start(DbServers servers, Path dir, int threads, int maxPoolSize) throws Exception {
        svc = TransactionService.builder().nodeName("bench-db-held").logDirectory(dir.resolve("pledge-log"))
                .defaultTimeout(Duration.ofSeconds(60)).recoveryInterval(Duration.ZERO).build();
        TransactionManager tm = svc.transactionManager();
        Worker[] workers = new Worker[threads];
        for (int t = 0; t < threads; t++) {
            XAConnection maria = servers.mariadbXa().getXAConnection();
            XAConnection pg = servers.postgresXa().getXAConnection();
            open.add(maria::close);
            open.add(pg::close);
            workers[t] = new Worker(maria, pg);
        }
        return thread -> workers[thread].transfer(tm, thread);
    }

    @Override
    public long forces() {
        return svc.metrics().getLogForces();
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        svc.close();
    }

    private static final class Worker {
        private final Connection maria;
        private final Connection pg;
        private final PledgeXAResource mariaXa;
        private final PledgeXAResource pgXa;

        Worker(XAConnection maria, XAConnection pg) throws Exception {
            this.maria = maria.getConnection();
            this.pg = pg.getConnection();
            this.mariaXa = PledgeXAResource.named("maria", false, maria.getXAResource());
            this.pgXa = PledgeXAResource.named("pg", false, pg.getXAResource());
        }

        void transfer(TransactionManager tm, int thread) throws Exception {
            int account = Transfer.account(thread);
            tm.begin();
            try {
                Transaction tx = tm.getTransaction();
                tx.enlistResource(mariaXa);
                Transfer.update(maria, Transfer.DEBIT, account);
                tx.enlistResource(pgXa);
                Transfer.update(pg, Transfer.CREDIT, account);
            } catch (Exception e) {
                tm.rollback();
                throw e;
            }
            tm.commit();
        }
    }
}
