package dev.pledge.tm.log.db;

import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.JournalContractTest;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract on the database log; one subclass per database. */
abstract class DatabaseJournalContractTest extends JournalContractTest {
    @TempDir
    Path tmp;
    private DataSource ds;
    private final String prefix = LogDatabases.uniquePrefix("contract");

    abstract DataSource dataSource(Path tmp);

    @Override
    protected Journal open() {
        if (ds == null) {
            ds = dataSource(tmp);
            LogDatabases.dropTables(ds, prefix);
        }
        return DatabaseJournal.open(ds, prefix, nodeName(), Duration.ofSeconds(5));
    }

    @AfterEach
    void drop() {
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }
}
