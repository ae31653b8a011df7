package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import dev.pledge.tm.log.db.UrlDataSources;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;

/** Pledge with its database log on PostgreSQL ({@link LogDatabase}), tables {@code bench_pledge_*} dropped first. */
final class PledgeDbContender implements Contender {
    static final String PREFIX = "bench_pledge_";
    private TransactionService svc;

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws Exception {
        LogDatabase.drop(PREFIX + "decision", PREFIX + "heuristic", PREFIX + "node", PREFIX + "schema_version");
        svc = TransactionService.builder().nodeName("bench-pledge-db")
                .databaseLog(UrlDataSources.of(LogDatabase.URL, LogDatabase.USER, ""))
                .databaseLogTablePrefix(PREFIX)
                .defaultTimeout(Duration.ofSeconds(60)).recoveryInterval(Duration.ZERO).build();
        return svc.transactionManager();
    }

    @Override
    public long forces() {
        return svc.metrics().getLogForces();
    }

    @Override
    public void close() {
        svc.close();
    }
}
