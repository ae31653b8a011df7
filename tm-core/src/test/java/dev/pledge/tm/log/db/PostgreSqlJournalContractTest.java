package dev.pledge.tm.log.db;

import java.nio.file.Path;
import javax.sql.DataSource;

/** The journal contract on the database log in PostgreSQL. */
class PostgreSqlJournalContractTest extends DatabaseJournalContractTest {
    @Override
    DataSource dataSource(Path tmp) {
        return LogDatabases.postgres();
    }
}
