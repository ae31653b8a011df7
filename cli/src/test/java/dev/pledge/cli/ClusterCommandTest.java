package dev.pledge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import dev.pledge.tm.log.db.DatabaseJournal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pledge cluster status} on a database log (an H2 file database) shared by a live node and a dead one it adopted. */
class ClusterCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PledgeCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** An H2 file database for a log, under the test's directory. */
    private JdbcDataSource logDatabase(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.resolve(name).toAbsolutePath());
        return ds;
    }

    /** A node of a 300 ms lease that logged one commit decision (its branch on "orders") and stopped renewing. */
    private static void diedWithADecisionInDoubt(JdbcDataSource ds, String node) throws Exception {
        try (DatabaseJournal dead = DatabaseJournal.open(ds, "ops_", node, Duration.ofMillis(300))) {
            byte[] gtrid = (node + ":00000000000000000000000000000001").getBytes(StandardCharsets.US_ASCII);
            dead.logCommit(new CommitRecord(new Gtrid(gtrid), List.of(new BranchRecord(new byte[] {1}, "orders")), System.currentTimeMillis()));
        }
    }

    @Test
    void clusterStatusListsEachNodesEpochLeaseInDoubtDecisionsAndWhoAdoptedWhom() throws Exception {
        JdbcDataSource ds = logDatabase("logdb");
        String url = ds.getURL();
        // a node that decided a commit and died before its branch finished: its lease ends, its decision stays
        diedWithADecisionInDoubt(ds, "shop-dead");
        // a peer with no resource registered: it adopts the dead node but cannot finish it, so the adoption stays visible
        try (TransactionService peer = TransactionService.builder().nodeName("shop-peer").databaseLog(ds).databaseLogTablePrefix("ops_")
                .leaseDuration(Duration.ofMillis(600)).recoveryInterval(Duration.ofMillis(100)).drainTimeout(Duration.ofMillis(200)).build()) {
            Run text = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                text = run("cluster", "status", "--jdbc-url", url, "--table-prefix", "ops_");
                assertEquals(0, text.code(), text.err());
                if (text.out().contains("adopted")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(text.out().contains("2 node(s)"), text.out());
            assertTrue(Pattern.compile("(?m)^shop-dead\\s+\\d+\\s+adopted\\s+\\S+\\s+1\\s+0\\s+shop-peer$").matcher(text.out()).find(),
                    "the dead node, adopted by the peer, with its one decision in doubt:\n" + text.out());
            assertTrue(Pattern.compile("(?m)^shop-peer\\s+\\d+\\s+live\\s+\\S+\\s+0\\s+0\\s+-$").matcher(text.out()).find(), text.out());

            Run json = run("cluster", "status", "--json", "--jdbc-url", url, "--table-prefix", "ops_");
            assertEquals(0, json.code(), json.err());
            assertTrue(json.out().contains("{\"name\":\"shop-dead\",\"epoch\":"), json.out());
            assertTrue(Pattern.compile("\"name\":\"shop-dead\",[^}]*\"state\":\"adopted\"[^}]*\"adoptedBy\":\"shop-peer\",\"inDoubtDecisions\":1,"
                    + "\"heuristicOutcomes\":0").matcher(json.out()).find(), json.out());
            assertTrue(Pattern.compile("\"name\":\"shop-peer\",[^}]*\"state\":\"live\",\"live\":true").matcher(json.out()).find(), json.out());
            assertTrue(Pattern.compile("\"name\":\"shop-peer\",[^}]*\"leaseAgeMillis\":\\d+").matcher(json.out()).find(), json.out());
        }
    }

    @Test
    void aNodeWhoseLeaseRanOutWithNoPeerToTakeItOverIsExpired() throws Exception {
        JdbcDataSource ds = logDatabase("expired-db");
        String url = ds.getURL();
        diedWithADecisionInDoubt(ds, "shop-gone");
        try (DatabaseJournal again = DatabaseJournal.open(ds, "ops_", "shop-gone", Duration.ofMillis(300))) { // and a heuristic outcome
            byte[] gtrid = "shop-gone:00000000000000000000000000000002".getBytes(StandardCharsets.US_ASCII);
            again.logHeuristic(new HeuristicRecord(new Gtrid(gtrid), new BranchRecord(new byte[] {1}, "orders"),
                    javax.transaction.xa.XAException.XA_HEURRB, true, System.currentTimeMillis()));
        }
        Thread.sleep(400); // past its lease
        Run text = run("cluster", "status", "--jdbc-url", url, "--table-prefix", "ops_");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("database log jdbc:h2:file:") && text.out().contains("(tables ops_*): 1 node(s)"), text.out());
        assertTrue(Pattern.compile("(?m)^NODE\\s+EPOCH\\s+STATE\\s+LEASE AGE\\s+IN DOUBT\\s+HEURISTIC\\s+ADOPTED BY$").matcher(text.out()).find(),
                text.out());
        assertTrue(Pattern.compile("(?m)^shop-gone\\s+\\d+\\s+expired\\s+\\d+\\.\\ds\\s+1\\s+1\\s+-$").matcher(text.out()).find(),
                "one decision in doubt and one heuristic outcome, its lease renewed fractions of a second ago:\n" + text.out());
    }

    @Test
    void decisionsWhoseNodeRowIsGoneAreListedUnderANodeWithNoRow() throws Exception {
        JdbcDataSource ds = logDatabase("no-row-db");
        String url = ds.getURL();
        diedWithADecisionInDoubt(ds, "shop-lost");
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM ops_node WHERE name = 'shop-lost'"); // by hand: Pledge deletes a row only with its decisions
        }
        Run text = run("cluster", "status", "--jdbc-url", url, "--table-prefix", "ops_");
        assertEquals(0, text.code(), text.err());
        assertTrue(Pattern.compile("(?m)^shop-lost\\s+-\\s+no-row\\s+-\\s+1\\s+0\\s+-$").matcher(text.out()).find(), text.out());
    }

    @Test
    void clusterStatusWithoutAJdbcUrlIsAUsageErrorThatSaysTheFileLogHasNoCluster() {
        Run r = run("cluster", "status");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--jdbc-url") && r.err().contains("the file log has no cluster"), r.err());
    }
}
