package dev.pledge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.TransactionManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PledgeCliTest {
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
    void demoRunsTransfersAndConservesMoney() {
        Run r = run("demo", "--transfers", "60", "--threads", "2", "--dir", tmp.resolve("demo").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("-> conserved; in-doubt branches left: 0"), r.out());
        Matcher m = Pattern.compile("transactions: (\\d+)\\s+committed: (\\d+)\\s+rolled back \\(insufficient funds\\): (\\d+)\\s+failed: 0")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(60, Integer.parseInt(m.group(1)));
        assertEquals(60, Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3)));
    }

    @Test
    void logInspectListsInDoubtAndHeuristicTransactionsAndResolveClearsThem() throws Exception {
        Path log = tmp.resolve("log");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-test").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            // commit fails with RMFAIL on "orders": decided, left to recovery, so in doubt
            tm.begin();
            tm.getTransaction().enlistResource(new Scripted("orders", XAException.XAER_RMFAIL));
            tm.getTransaction().enlistResource(new Scripted("stock", 0));
            tm.commit();
            // commit answers HEURMIX on "audit": a heuristic outcome for an operator
            tm.begin();
            tm.getTransaction().enlistResource(new Scripted("audit", XAException.XA_HEURMIX));
            tm.getTransaction().enlistResource(new Scripted("stock", 0));
            try {
                tm.commit();
            } catch (HeuristicMixedException expected) {
                // reported to the application; kept in the log
            }
        }
        Run text = run("log", "inspect", log.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("in doubt (committed, branches unfinished): 1"), text.out());
        assertTrue(text.out().contains("orders/00000001"), text.out());
        assertTrue(text.out().contains("XA_HEURMIX on audit/00000001 (decision was commit)"), text.out());

        Run json = run("log", "inspect", "--json", log.toString());
        assertTrue(json.out().contains("\"outcome\":\"XA_HEURMIX\""), json.out());
        Matcher heuristicGtrid = Pattern.compile("\"heuristics\":\\[\\{\"gtrid\":\"([^\"]+)\"").matcher(json.out());
        assertTrue(heuristicGtrid.find(), json.out());

        Run resolved = run("log", "resolve", heuristicGtrid.group(1), "--log-dir", log.toString(), "--rollback");
        assertEquals(0, resolved.code(), resolved.err());
        assertTrue(resolved.out().contains("resolved by hand as rolled back"), resolved.out());
        Run after = run("log", "inspect", log.toString());
        assertTrue(after.out().contains("heuristic outcomes awaiting resolution: 0"), after.out());
        assertTrue(after.out().contains("in doubt (committed, branches unfinished): 1"), after.out());
    }

    @Test
    void errorsAreOneClearLineWithoutStackTraceUnlessVerbose() {
        Run r = run("log", "resolve", "nobody:00000000000000000000000000000000", "--log-dir", tmp.resolve("empty").toString(), "--commit");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("pledge: the log in"), r.err());
        assertTrue(r.err().contains("holds no in-doubt or heuristic transaction"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run verbose = run("--verbose", "log", "resolve", "nobody:00000000000000000000000000000000", "--log-dir",
                tmp.resolve("empty").toString(), "--commit");
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void recoverWithAConfigFileRunsOnePassAgainstH2() throws Exception {
        Path cfg = tmp.resolve("pledge.properties");
        Files.writeString(cfg, "node-name=cli-recover\nlog-directory=" + tmp.resolve("rlog") + "\n"
                + "resource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.db.url=jdbc:h2:file:" + tmp.resolve("db") + "\nresource.db.user=sa\n");
        Run r = run("recover", "--config", cfg.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 0 pending"), r.out());

        Files.writeString(cfg, "node-name=x\nlog-directory=" + tmp.resolve("rlog2") + "\nresource.db.xa-datasource=java.lang.String\n");
        Run bad = run("recover", "--config", cfg.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("java.lang.String is not a javax.sql.XADataSource"), bad.err());
    }

    /** Votes yes; commit fails with the given XA code (0: succeeds). */
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
