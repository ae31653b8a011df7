package dev.pledge.bench;

import jakarta.transaction.TransactionManager;
import java.nio.file.Path;

/** One transaction manager under test, set up in its own JVM with a durable log under {@code dir}. */
interface Contender extends AutoCloseable {
    TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws Exception;

    /** Log forces so far, or -1 when the manager does not tell. */
    default long forces() {
        return -1;
    }

    @Override
    void close() throws Exception;

    static Contender named(String name) {
        return switch (name) {
            case "pledge" -> new PledgeContender(0);
            case "pledge-traced" -> new PledgeContender(1.0);
            case "pledge-traced-10pct" -> new PledgeContender(0.1);
            case "pledge-traced-1pct" -> new PledgeContender(0.01);
            case "narayana-journal" -> new NarayanaContender(true);
            case "narayana-file" -> new NarayanaContender(false);
            case "atomikos" -> new AtomikosContender();
            case "pledge-db" -> new PledgeDbContender();
            case "narayana-jdbc" -> new NarayanaJdbcContender();
            default -> throw new IllegalArgumentException("unknown manager '" + name
                    + "' (pledge, pledge-db, pledge-traced, pledge-traced-10pct, pledge-traced-1pct, narayana-journal, narayana-file, narayana-jdbc, atomikos)");
        };
    }
}
