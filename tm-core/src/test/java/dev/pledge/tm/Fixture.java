package dev.pledge.tm;

import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;

/** A service on a recording journal, with background recovery off and a fast reaper. */
final class Fixture implements AutoCloseable {
    private static final AtomicInteger NODES = new AtomicInteger();

    final CallLog log = new CallLog();
    final RecordingJournal journal = new RecordingJournal(log);
    final TransactionService svc;
    final TransactionManager tm;

    Fixture() {
        this(Duration.ofSeconds(60));
    }

    Fixture(Duration defaultTimeout) {
        this("unit-" + NODES.incrementAndGet(), defaultTimeout);
    }

    Fixture(String nodeName, Duration defaultTimeout) {
        this(nodeName, defaultTimeout, false);
    }

    /** A fixture whose service runs the phases of two or more branches in parallel. */
    static Fixture parallel() {
        return new Fixture("unit-" + NODES.incrementAndGet(), Duration.ofSeconds(60), true);
    }

    Fixture(String nodeName, Duration defaultTimeout, boolean parallelPhases) {
        svc = TransactionService.builder()
                .parallelPhases(parallelPhases)
                .nodeName(nodeName)
                .logDirectory(Path.of("unused"))
                .defaultTimeout(defaultTimeout)
                .recoveryInterval(Duration.ZERO)
                .reaperInterval(Duration.ofMillis(20))
                .journal(c -> journal)
                .build();
        tm = svc.transactionManager();
    }

    ScriptedXAResource resource(String name) {
        return new ScriptedXAResource(name, log);
    }

    /** Begins a transaction on this thread and enlists {@code resources} in it. */
    Transaction begin(XAResource... resources) throws Exception {
        tm.begin();
        Transaction t = tm.getTransaction();
        for (XAResource r : resources) {
            t.enlistResource(r);
        }
        return t;
    }

    TransactionImpl current() {
        return ((TransactionManagerImpl) tm).current();
    }

    @Override
    public void close() {
        svc.close();
    }
}
