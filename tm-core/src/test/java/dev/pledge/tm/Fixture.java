package dev.pledge.tm;

import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.db.DatabaseJournal;
import dev.pledge.tm.log.file.FileJournal;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;

/** A service on a recording journal (in memory, or writing through to a real log), with background recovery off and a fast reaper. */
final class Fixture implements AutoCloseable {
    private static final AtomicInteger NODES = new AtomicInteger();

    final CallLog log = new CallLog();
    final RecordingJournal journal;
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
        this(nodeName, defaultTimeout, parallelPhases, null);
    }

    /**
     * A fixture whose journal writes through to {@code testLog} (the file log or the database log),
     * opened here under {@code nodeName}; null: in memory only.
     */
    static Fixture on(TestLog testLog, String nodeName, boolean parallelPhases) {
        Journal real = testLog.isDatabase()
                ? DatabaseJournal.open(testLog.dataSource(), testLog.prefix(), nodeName, TestLog.LEASE)
                : FileJournal.open(testLog.dir(), true);
        return new Fixture(nodeName, Duration.ofSeconds(60), parallelPhases, real);
    }

    private Fixture(String nodeName, Duration defaultTimeout, boolean parallelPhases, Journal real) {
        journal = new RecordingJournal(log, real);
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
