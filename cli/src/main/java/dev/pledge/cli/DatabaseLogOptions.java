package dev.pledge.cli;

import javax.sql.DataSource;
import picocli.CommandLine.Option;

/** The options that name a database log instead of a log directory: {@code --jdbc-url}, {@code --user}, {@code --password}, {@code --table-prefix}. */
final class DatabaseLogOptions {
    @Option(names = "--jdbc-url", description = "JDBC URL of a database log (PostgreSQL, MariaDB/MySQL or H2) instead of a directory.")
    String jdbcUrl;

    @Option(names = "--user", description = "User of the database log.")
    String user;

    @Option(names = "--password", description = "Password of the database log (or set PLEDGE_LOG_PASSWORD).")
    String password;

    @Option(names = "--table-prefix", defaultValue = "pledge_", description = "Prefix of the database log's tables (default ${DEFAULT-VALUE}).")
    String tablePrefix;

    boolean present() {
        return jdbcUrl != null;
    }

    DataSource dataSource() {
        String pw = password != null ? password : System.getenv("PLEDGE_LOG_PASSWORD");
        return dev.pledge.tm.log.db.UrlDataSources.of(jdbcUrl, user, pw);
    }
}
