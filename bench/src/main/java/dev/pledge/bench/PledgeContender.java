package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;

/** Pledge with its durable journal (fsync on). */
final class PledgeContender implements Contender {
    private TransactionService svc;

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) {
        svc = TransactionService.builder().nodeName("bench-pledge").logDirectory(dir.resolve("pledge-log"))
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
