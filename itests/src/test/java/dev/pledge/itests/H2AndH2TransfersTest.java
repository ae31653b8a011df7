package dev.pledge.itests;

import java.nio.file.Path;
import java.sql.DriverManager;
import javax.sql.XADataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.io.TempDir;

/** Transfers between two H2 file databases (H2's JdbcDataSource is an XADataSource). */
class H2AndH2TransfersTest extends TransferBehaviour {
    @TempDir
    static Path databases;

    static String url(String name) {
        return "jdbc:h2:file:" + databases.resolve(name).toAbsolutePath() + ";LOCK_TIMEOUT=10000";
    }

    @Override
    String nodeName() {
        return "itest-h2-h2";
    }

    private static XADataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url(name));
        ds.setUser("sa");
        return ds;
    }

    @Override
    XADataSource leftXa() {
        return h2("left");
    }

    @Override
    XADataSource rightXa() {
        return h2("right");
    }

    @Override
    Accounts leftTable() {
        return new Accounts("accounts", () -> DriverManager.getConnection(url("left"), "sa", ""));
    }

    @Override
    Accounts rightTable() {
        return new Accounts("accounts", () -> DriverManager.getConnection(url("right"), "sa", ""));
    }

    @Override
    int transfersPerThread() {
        return 1_000;
    }
}
