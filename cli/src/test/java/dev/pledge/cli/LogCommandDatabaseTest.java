package dev.pledge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.TransactionManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pledge log inspect|resolve} on a database log named by its JDBC URL (an H2 file database). */
class LogCommandDatabaseTest {
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

    @Test
    void logInspectAndResolveReadAndWriteADatabaseLogGivenItsJdbcUrl() throws Exception {
        String url = "jdbc:h2:file:" + tmp.resolve("logdb").toAbsolutePath();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        try (TransactionService svc = TransactionService.builder().nodeName("cli-db").databaseLog(ds).databaseLogTablePrefix("ops_")
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new Scripted("orders", XAException.XAER_RMFAIL));
            tm.getTransaction().enlistResource(new Scripted("stock", 0));
            tm.commit();
            tm.begin();
            tm.getTransaction().enlistResource(new Scripted("audit", XAException.XA_HEURMIX));
            tm.getTransaction().enlistResource(new Scripted("stock", 0));
            try {
                tm.commit();
            } catch (HeuristicMixedException expected) {
                // kept in the log for an operator
            }
            Run whileLive = run("log", "inspect", "--jdbc-url", url, "--table-prefix", "ops_");
            assertEquals(0, whileLive.code(), whileLive.err());
            assertTrue(Pattern.compile("node cli-db  epoch \\d+  live").matcher(whileLive.out()).find(), whileLive.out());
            Matcher g = Pattern.compile("(cli-db:\\p{XDigit}+)  age \\d+s  branches: orders/00000001").matcher(whileLive.out());
            assertTrue(g.find(), whileLive.out());
            Run refused = run("log", "resolve", g.group(1), "--jdbc-url", url, "--table-prefix", "ops_", "--commit");
            assertEquals(1, refused.code(), refused.out());
            assertTrue(refused.err().contains("held by a live Pledge service"), "the service must be stopped first: " + refused.err());
        }
        Run text = run("log", "inspect", "--jdbc-url", url, "--table-prefix", "ops_");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("database log jdbc:h2:file:") && Pattern.compile("node cli-db  epoch \\d+  not running").matcher(text.out()).find(), text.out());
        assertTrue(text.out().contains("in doubt (committed, branches unfinished): 1"), text.out());
        assertTrue(text.out().contains("XA_HEURMIX on audit/00000001 (decision was commit)"), text.out());

        Run json = run("log", "inspect", "--json", "--jdbc-url", url, "--table-prefix", "ops_");
        assertEquals(0, json.code(), json.err());
        assertTrue(Pattern.compile("\"nodes\":\\[\\{\"name\":\"cli-db\",\"epoch\":\\d+,\"live\":false").matcher(json.out()).find(), json.out());
        Matcher heuristic = Pattern.compile("\"heuristics\":\\[\\{\"gtrid\":\"([^\"]+)\"").matcher(json.out());
        assertTrue(heuristic.find(), json.out());
        Matcher inDoubt = Pattern.compile("\"inDoubt\":\\[\\{\"gtrid\":\"([^\"]+)\"").matcher(json.out());
        assertTrue(inDoubt.find(), json.out());

        Run resolved = run("log", "resolve", heuristic.group(1), "--jdbc-url", url, "--table-prefix", "ops_", "--rollback");
        assertEquals(0, resolved.code(), resolved.err());
        assertTrue(resolved.out().contains("1 heuristic outcome(s) marked resolved"), resolved.out());
        Run committed = run("log", "resolve", inDoubt.group(1), "--jdbc-url", url, "--table-prefix", "ops_", "--commit");
        assertEquals(0, committed.code(), committed.err());
        assertTrue(committed.out().contains("its commit decision marked complete"), committed.out());

        Run after = run("log", "inspect", "--jdbc-url", url, "--table-prefix", "ops_");
        assertTrue(after.out().contains("in doubt (committed, branches unfinished): 0"), after.out());
        assertTrue(after.out().contains("heuristic outcomes awaiting resolution: 0"), after.out());

        Run both = run("log", "inspect", "--jdbc-url", url, tmp.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("not both"), both.err());
    }

    private static final class Scripted implements PledgeXAResource {
        private final String name;
        private final int commitError;

        Scripted(String name, int commitError) {
            this.name = name;
            this.commitError = commitError;
        }

        @Override
        public String resourceName() {
            return name;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            if (commitError != 0) {
                throw new XAException(commitError);
            }
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource xares) {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return true;
        }

        @Override
        public void start(Xid xid, int flags) {
        }
    }
}
