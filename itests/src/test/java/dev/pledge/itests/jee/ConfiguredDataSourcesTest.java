package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.itests.ChildJvm;
import dev.pledge.itests.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data sources declared in configuration alone ({@code pledge.datasource.NAME.*}), as a CDI
 * application gets them without writing a pool: injected by name, enlisted in one transaction, and
 * registered for recovery before the start-up pass, which finishes what a crash left on them.
 */
class ConfiguredDataSourcesTest {
    static final String NODE = "jee-conf-ds";
    static final String DATABASE = "pledge_conf";

    @TempDir
    Path dir;

    private List<String> settings() {
        List<String> s = new ArrayList<>();
        s.add("pledge.nodeName=" + NODE);
        s.add("pledge.logDirectory=" + dir.resolve("log"));
        s.add("pledge.recoveryInterval=0");
        s.add("pledge.datasource." + ConfiguredBank.MARIADB + ".xa-class=com.mysql.cj.jdbc.MysqlXADataSource");
        s.add("pledge.datasource." + ConfiguredBank.MARIADB + ".url=jdbc:mysql://127.0.0.1:3306/" + DATABASE);
        s.add("pledge.datasource." + ConfiguredBank.MARIADB + ".user=root");
        s.add("pledge.datasource." + ConfiguredBank.MARIADB + ".max-pool-size=2");
        s.add("pledge.datasource." + ConfiguredBank.POSTGRES + ".xa-class=org.postgresql.xa.PGXADataSource");
        s.add("pledge.datasource." + ConfiguredBank.POSTGRES + ".url=jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        s.add("pledge.datasource." + ConfiguredBank.POSTGRES + ".user=postgres");
        return s;
    }

    private Process run(String command, String outName) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.addAll(settings());
        Path out = dir.resolve(outName);
        Process child = ChildJvm.start(out, ConfiguredBankApp.class, args.toArray(String[]::new));
        try {
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), command + " did not end within 120 s:\n" + Files.readString(out));
        } finally {
            child.destroyForcibly();
        }
        return child;
    }

    private static long balance(Connection c) throws Exception {
        try (c; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT balance FROM conf_account WHERE id = 1")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void dataSourcesFromConfigurationAloneCommitTogetherAndAreRecoveredAtStartUpAfterACrash() throws Exception {
        Servers.createDatabases(DATABASE);
        for (Connection c : List.of(Servers.mariaDbConnection(DATABASE), Servers.postgresConnection(DATABASE))) {
            try (c; Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS conf_account");
                s.execute("CREATE TABLE conf_account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
                s.execute("INSERT INTO conf_account VALUES (1, 1000)");
            }
        }
        Process transfers = run("transfer:3", "transfers.txt");
        assertEquals(0, transfers.exitValue(), Files.readString(dir.resolve("transfers.txt")));
        assertEquals(970, balance(Servers.mariaDbConnection(DATABASE)));
        assertEquals(1030, balance(Servers.postgresConnection(DATABASE)));

        Process halted = run("halt", "halt.txt");
        assertEquals(ConfiguredBankApp.HALT_STATUS, halted.exitValue(), Files.readString(dir.resolve("halt.txt")));
        assertFalse(Servers.mariaDbXidsOf(NODE).isEmpty(), "MariaDB's branch is prepared and in doubt after the crash");
        assertFalse(Servers.postgresXidsOf(NODE).isEmpty(), "PostgreSQL's branch is prepared and in doubt after the crash");

        Process restart = run("start", "restart.txt");
        String output = Files.readString(dir.resolve("restart.txt"));
        assertEquals(0, restart.exitValue(), output);
        assertTrue(output.contains("ready"), output);
        assertEquals(List.of(), Servers.mariaDbXidsOf(NODE), "the start-up pass found the configured MariaDB data source and rolled back");
        assertEquals(List.of(), Servers.postgresXidsOf(NODE), "the start-up pass found the configured PostgreSQL data source and rolled back");
        assertEquals(970, balance(Servers.mariaDbConnection(DATABASE)), "no decision was logged: presumed abort");
        assertEquals(1030, balance(Servers.postgresConnection(DATABASE)));
    }
}
