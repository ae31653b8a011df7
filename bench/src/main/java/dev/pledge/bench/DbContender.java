package dev.pledge.bench;

import java.nio.file.Path;

/** One way of running the MariaDB → PostgreSQL transfers, set up in its own JVM with its durable log under {@code dir}. */
interface DbContender extends AutoCloseable {
    /** Builds pools/connections for {@code threads} workers and returns the transaction body. */
    LoadLoop.Body start(DbServers servers, Path dir, int threads, int maxPoolSize) throws Exception;

    /** Log forces so far, or -1 when the manager does not tell. */
    default long forces() {
        return -1;
    }

    @Override
    void close() throws Exception;

    static DbContender named(String name) {
        return switch (name) {
            case "pledge" -> new PledgeDb();
            case "pledge-held" -> new PledgeHeldDb();
            case "narayana" -> new NarayanaDb();
            case "hand-written" -> new HandWrittenXa();
            default -> throw new IllegalArgumentException("unknown database contender '" + name + "' (pledge, pledge-held, narayana, hand-written)");
        };
    }
}
