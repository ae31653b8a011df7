package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.spring.boot.crash.CrashTransferApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Boot application {@link CrashTransferApplication} runs in a child JVM, transferring money
 * from MariaDB to PostgreSQL with a message per transfer on four threads, and is killed
 * ({@code kill -9}: {@link Process#destroyForcibly()}) at a random moment, round after round,
 * each restart on the same log recovering the previous round. After the last round: money is
 * conserved, both databases hold the same committed transfers, every one of them has exactly one
 * message, and neither database holds a prepared branch.
 */
class SpringApplicationKilledMidCommitTest {
    static final int ROUNDS = 10;
    static final String NODE = "boot-crash";
    static final long INITIAL = 1000;
    static final Pattern REPORT = Pattern.compile("recovery pass: (\\d+) committed, (\\d+) rolled back, (\\d+) heuristic, (\\d+) pending");

    @TempDir
    Path dir;

    @Test
    void killedInMidCommitAndRestartedTheApplicationLosesNoMoneyAndSendsOneMessagePerCommittedTransfer() throws Exception {
        Servers.createDatabases();
        Servers.rollBackLeftovers(NODE);
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres()) {
            for (Connection c : List.of(m, p)) {
                Servers.resetAccounts(c, CrashTransferApplication.ACCOUNTS, CrashTransferApplication.ACCOUNT_COUNT, INITIAL);
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + CrashTransferApplication.TRANSFERS + " (id VARCHAR(64) PRIMARY KEY)");
                    s.execute("DELETE FROM " + CrashTransferApplication.TRANSFERS);
                }
            }
        }
        assertThat(Servers.preparedOnMariaDb(NODE)).as("prepared before the test").isEmpty();
        assertThat(Servers.preparedOnPostgres()).as("prepared before the test").isEmpty();

        try (Broker broker = Broker.start(dir.resolve("broker"))) {
            broker.drain(CrashTransferApplication.QUEUE, 100);
            List<String> args = List.of(
                    "--pledge.node-name=" + NODE,
                    "--pledge.log.directory=" + dir.resolve("log"),
                    "--pledge.recovery-interval=0",
                    "--pledge.datasources.mariadb.url=" + Servers.MARIADB_URL,
                    "--pledge.datasources.mariadb.username=root",
                    "--pledge.datasources.mariadb.password=",
                    "--pledge.datasources.mariadb.primary=true",
                    "--pledge.datasources.mariadb.max-pool-size=4",
                    "--pledge.datasources.postgres.url=" + Servers.POSTGRES_URL,
                    "--pledge.datasources.postgres.username=postgres",
                    "--pledge.datasources.postgres.max-pool-size=4",
                    "--spring.artemis.mode=native",
                    "--spring.artemis.broker-url=" + broker.url(),
                    "--spring.main.web-application-type=none",
                    "--spring.main.banner-mode=off",
                    "--spring.autoconfigure.exclude=org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
                            + "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration");
            Map<String, Integer> recoveredTotals = new HashMap<>(Map.of("committed", 0, "rolledBack", 0));
            List<String> rounds = new ArrayList<>();
            for (int round = 0; round <= ROUNDS; round++) {
                boolean last = round == ROUNDS;
                Path out = dir.resolve("child-" + round + ".log");
                List<String> childArgs = new ArrayList<>(args);
                if (last) {
                    childArgs.add("--recover-only");
                }
                Process child = ChildJvm.start(out, CrashTransferApplication.class, childArgs);
                try {
                    ChildJvm.awaitLine(child, out, "ready", 180);
                    // the pass the starter runs once the application is ready logs what it did (when it did something) ...
                    for (String line : Files.readAllLines(out)) {
                        Matcher done = REPORT.matcher(line);
                        if (!line.startsWith("recovered: ") && done.find()) {
                            recoveredTotals.merge("committed", Integer.parseInt(done.group(1)), Integer::sum);
                            recoveredTotals.merge("rolledBack", Integer.parseInt(done.group(2)), Integer::sum);
                            assertThat(Integer.parseInt(done.group(3))).as("heuristic outcomes in round " + round).isZero();
                        }
                    }
                    // ... and a pass right after it, in main, finds nothing left
                    Matcher r = REPORT.matcher(String.valueOf(ChildJvm.lineStartingWith(out, "recovered: ")));
                    assertThat(r.find()).as("the recovery report of round " + round).isTrue();
                    assertThat(r.group()).as("what a second pass finds after the start-up pass of round " + round)
                            .isEqualTo("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 0 pending");
                    if (last) {
                        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the recovering application exits").isTrue();
                    } else {
                        Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1500));
                        child.destroyForcibly();
                        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    }
                    rounds.add("round " + round + ": recovered so far " + recoveredTotals + ", transfers so far " + count(CrashTransferApplication.TRANSFERS));
                } finally {
                    child.destroyForcibly();
                }
            }
            System.out.println(String.join("\n", rounds));

            assertThat(Servers.preparedOnMariaDb(NODE)).as("Pledge branches prepared on MariaDB (XA RECOVER)").isEmpty();
            assertThat(Servers.preparedOnPostgres()).as("transactions prepared on PostgreSQL (pg_prepared_xacts)").isEmpty();
            Set<String> onMariaDb = ids(true);
            Set<String> onPostgres = ids(false);
            assertThat(onMariaDb).as("committed transfers").hasSizeGreaterThan(ROUNDS);
            assertThat(onPostgres).as("transfers credited on PostgreSQL = transfers debited on MariaDB").isEqualTo(onMariaDb);
            try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres()) {
                long total = Servers.sum(m, CrashTransferApplication.ACCOUNTS) + Servers.sum(p, CrashTransferApplication.ACCOUNTS);
                assertThat(total).as("money on both databases").isEqualTo(2 * CrashTransferApplication.ACCOUNT_COUNT * INITIAL);
            }
            List<String> messages = broker.drain(CrashTransferApplication.QUEUE, 1000);
            assertThat(new HashSet<>(messages)).as("one message per committed transfer, none for the others").isEqualTo(onMariaDb);
            assertThat(messages).as("no transfer announced twice").hasSameSizeAs(onMariaDb);
            assertThat(recoveredTotals.get("committed") + recoveredTotals.get("rolledBack"))
                    .as("branches recovery found in doubt over all rounds (the kills landed in two-phase commit)").isPositive();
        }
    }

    private static Set<String> ids(boolean mariaDb) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = mariaDb ? Servers.mariaDb() : Servers.postgres(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + CrashTransferApplication.TRANSFERS)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static int count(String table) throws Exception {
        try (Connection c = Servers.mariaDb(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
