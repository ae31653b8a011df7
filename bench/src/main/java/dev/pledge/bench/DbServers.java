package dev.pledge.bench;

import com.mysql.cj.jdbc.MysqlXADataSource;
import javax.sql.XADataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * Where the real-database workload runs: MariaDB (user root, no password) and PostgreSQL (user
 * postgres, trust), each in database {@value #DATABASE}, as {@code host:port}.
 */
record DbServers(String mariadb, String postgres) {
    static final String DATABASE = "pledge_bench";
    /** Accounts each worker thread owns on each side, so threads never wait on each other's row locks. */
    static final int ROWS_PER_THREAD = 100;

    String mariadbUrl() {
        return "jdbc:mysql://" + mariadb + "/" + DATABASE + "?user=root";
    }

    String postgresUrl() {
        return "jdbc:postgresql://" + postgres + "/" + DATABASE + "?user=postgres";
    }

    XADataSource mariadbXa() {
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl(mariadbUrl());
        return ds;
    }

    XADataSource postgresXa() {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(postgresUrl());
        return ds;
    }
}
