package dev.pledge.tm.log.db;

import java.nio.file.Path;
import javax.sql.DataSource;

/** The journal contract on the database log in an H2 file database. */
class H2JournalContractTest extends DatabaseJournalContractTest {
    @Override
    DataSource dataSource(Path tmp) {
        return LogDatabases.h2(tmp);
    }
}
