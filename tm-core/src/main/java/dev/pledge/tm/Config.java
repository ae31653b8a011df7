package dev.pledge.tm;

import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The service's whole configuration, fixed at build time. {@code databaseLog} is null for the file
 * log in {@code logDirectory}; otherwise the log is in that database, under {@code databaseLogTablePrefix}.
 */
record Config(String nodeName, Path logDirectory, Duration defaultTimeout, Duration recoveryInterval, boolean fsync,
              Duration reaperInterval, boolean parallelPhases, DataSource databaseLog, String databaseLogTablePrefix,
              Duration databaseLogLease, Duration drainTimeout) {

    /** Where the log is, in words, for log messages. */
    String logDescription() {
        return databaseLog == null ? logDirectory.toAbsolutePath().toString() : "in database " + databaseLog + " (tables "
                + databaseLogTablePrefix + "*)";
    }
}
