package dev.pledge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
    void demoRunsTransfersCrashesACoordinatorInMidCommitAndRecoversItWithEveryCheckPassing() {
        Run r = run("demo", "--transfers", "120", "--threads", "4", "--dir", tmp.resolve("demo").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String check : List.of("every transfer committed or was refused for lack of funds", "money conserved",
                "each transfer in both banks or in neither", "one message per committed transfer", "no prepared branch left",
                "no lock held", "recovery log empty of completed work")) {
            assertTrue(r.out().contains("[ok] " + check + ": "), check + " in\n" + r.out());
        }
        assertFalse(r.out().contains("FAILED"), r.out());
        assertTrue(r.out().contains("120/120 100%"), "progress reached the end: " + r.out());
        assertFalse(r.out().contains("\r"), "no terminal here, so plain progress lines: " + r.out());
        assertTrue(Pattern.compile("then Runtime.halt\\(99\\):\\s+halting in phase two of transfer crash-\\d+").matcher(r.out()).find(), r.out());
        Matcher decisions = Pattern.compile("the log holds (\\d+) commit decision").matcher(r.out());
        assertTrue(decisions.find() && Integer.parseInt(decisions.group(1)) >= 1, "the crash left a decision to finish: " + r.out());
        Matcher pass = Pattern.compile("recovery pass: (\\d+) committed, (\\d+) rolled back, 0 heuristic, 0 pending").matcher(r.out());
        assertTrue(pass.find(), r.out());
        assertTrue(Integer.parseInt(pass.group(1)) >= 1, "recovery committed the halted transfer's prepared branches: " + r.out());
        Matcher throughput = Pattern.compile("throughput: (\\d+) tx/s").matcher(r.out());
        assertTrue(throughput.find() && Integer.parseInt(throughput.group(1)) > 0, r.out());
        assertTrue(Files.exists(tmp.resolve("demo").resolve("pledge-log")), "--dir is kept");
    }

    @Test
    void demoRefusesADirectoryItDidNotMake() throws Exception {
        Path foreign = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(foreign.resolve("notes.txt"), "keep me");
        Run r = run("demo", "--dir", foreign.toString());
        assertEquals(1, r.code());
        assertEquals("pledge: --dir " + foreign.toAbsolutePath() + " is not empty and was not made by 'pledge demo'; give a new or empty"
                + " directory (--verbose shows the stack trace)", r.err().strip());
        assertTrue(Files.exists(foreign.resolve("notes.txt")));
    }

    @Test
    void progressIsOneRedrawnLineOnATerminalAndPlainLinesElsewhere() {
        StringWriter plain = new StringWriter();
        Progress p = new Progress(new PrintWriter(plain), false, 50);
        for (int i = 0; i < 50; i++) {
            p.step();
        }
        p.finish();
        List<String> lines = plain.toString().lines().toList();
        assertEquals(10, lines.size(), plain.toString());
        assertTrue(lines.get(0).contains(" 5/50  10%"), lines.get(0));
        assertTrue(lines.get(9).contains(" 50/50 100%"), lines.get(9));
        assertFalse(plain.toString().contains("\r"));

        StringWriter terminal = new StringWriter();
        Progress t = new Progress(new PrintWriter(terminal), true, 50);
        for (int i = 0; i < 50; i++) {
            t.step();
        }
        t.finish();
        String shown = terminal.toString();
        assertTrue(shown.startsWith("\r  ["), shown);
        assertEquals(1, shown.chars().filter(c -> c == '\n').count(), "one line, redrawn in place: " + shown);
        assertTrue(shown.endsWith("\n"), shown);
        assertTrue(shown.substring(shown.lastIndexOf('\r')).contains("50/50 100%"), "the last drawing is complete: " + shown);
    }

    @Test
    void logInspectWritesControlCharactersOfNamesFromTheLogAsEscapesNotToTheTerminal() throws Exception {
        Path log = tmp.resolve("log-esc");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-esc").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            leaveInDoubt(tm, "evil\u001b[2J\u0007\u202e");
        }
        Run text = run("log", "inspect", log.toString());
        assertEquals(0, text.code(), text.err());
        assertFalse(text.out().chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e), text.out());
        assertTrue(text.out().contains("branches: evil\\u001b[2J\\u0007\\u202e/00000001, stock/00000002"), text.out());
    }

    @Test
    void logInspectGivesTheSameInDoubtAndHeuristicCountsInTheSameWordsAsTheServicesHealth() throws Exception {
        Path log = tmp.resolve("log-health");
        dev.pledge.tm.Health health;
        try (TransactionService svc = TransactionService.builder().nodeName("cli-health").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            for (String failing : List.of("orders", "billing")) { // two decisions left to recovery: in doubt
                leaveInDoubt(tm, failing);
            }
            tm.begin();
            tm.getTransaction().enlistResource(new Scripted("audit", XAException.XA_HEURMIX));
            tm.getTransaction().enlistResource(new Scripted("stock", 0));
            assertThrows(HeuristicMixedException.class, tm::commit);
            health = svc.health();
        }
        assertEquals(2, health.inDoubtDecisions(), health.summary());
        assertEquals(1, health.heuristicOutcomes(), health.summary());

        Run text = run("log", "inspect", log.toString());
        assertEquals(0, text.code(), text.err());
        List<String> healthLines = health.summary().lines().toList();
        for (String words : List.of(dev.pledge.tm.Health.IN_DOUBT_WORDS, dev.pledge.tm.Health.HEURISTIC_WORDS)) {
            String line = healthLines.stream().filter(l -> l.startsWith(words + ": ")).findFirst().orElseThrow();
            assertTrue(text.out().lines().anyMatch(line::equals), "inspect prints the health's line '" + line + "':\n" + text.out());
        }
        assertTrue(health.summary().contains("log: usable") && text.out().contains("log: readable"), health.summary() + text.out());

        Run json = run("log", "inspect", "--json", log.toString());
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"inDoubtDecisions\":" + health.inDoubtDecisions() + ",\"heuristicOutcomes\":"
                + health.heuristicOutcomes() + ","), "the JSON counts carry the names and values of Health's: " + json.out());
    }

    @Test
    void logInspectListsInDoubtAndHeuristicTransactionsWithAgeAndResolveRecordsTheOutcome() throws Exception {
        Path log = tmp.resolve("log");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-test").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            // commit fails with RMFAIL on "orders": decided, left to recovery, so in doubt
            leaveInDoubt(tm, "orders");
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
        Thread.sleep(1_100); // so that the age is at least a second
        Run text = run("log", "inspect", log.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("in doubt (committed, branches unfinished): 1"), text.out());
        assertTrue(Pattern.compile("cli-test:\\p{XDigit}+  age [1-9]\\d*s  branches: orders/00000001, stock/00000002").matcher(text.out()).find(),
                text.out());
        assertTrue(Pattern.compile("age [1-9]\\d*s  XA_HEURMIX on audit/00000001 \\(decision was commit\\)").matcher(text.out()).find(),
                text.out());

        Run json = run("log", "inspect", "--json", log.toString());
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"outcome\":\"XA_HEURMIX\""), json.out());
        assertTrue(Pattern.compile("\"ageSeconds\":[1-9]").matcher(json.out()).find(), json.out());
        assertTrue(json.out().contains("\"branches\":[{\"resource\":\"orders\",\"bqual\":\"00000001\"},{\"resource\":\"stock\""), json.out());
        Matcher heuristicGtrid = Pattern.compile("\"heuristics\":\\[\\{\"gtrid\":\"([^\"]+)\"").matcher(json.out());
        assertTrue(heuristicGtrid.find(), json.out());
        Matcher inDoubtGtrid = Pattern.compile("\"inDoubt\":\\[\\{\"gtrid\":\"([^\"]+)\"").matcher(json.out());
        assertTrue(inDoubtGtrid.find(), json.out());

        Run resolved = run("log", "resolve", heuristicGtrid.group(1), "--log-dir", log.toString(), "--rollback");
        assertEquals(0, resolved.code(), resolved.err());
        assertTrue(resolved.out().contains("resolved by hand as rolled back: 1 heuristic outcome(s) marked resolved"), resolved.out());
        Run committed = run("log", "resolve", inDoubtGtrid.group(1), "--log-dir", log.toString(), "--commit");
        assertEquals(0, committed.code(), committed.err());
        assertTrue(committed.out().contains("resolved by hand as committed: its commit decision marked complete"), committed.out());

        // the resolutions are in the log: a service reopening it has nothing left to do, and inspect shows nothing
        try (TransactionService svc = TransactionService.builder().nodeName("cli-test").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            assertEquals(0, svc.metrics().getPendingDecisions());
        }
        Run after = run("log", "inspect", log.toString());
        assertTrue(after.out().contains("in doubt (committed, branches unfinished): 0"), after.out());
        assertTrue(after.out().contains("heuristic outcomes awaiting resolution: 0"), after.out());
        Run again = run("log", "resolve", heuristicGtrid.group(1), "--log-dir", log.toString(), "--commit");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("holds no in-doubt or heuristic transaction " + heuristicGtrid.group(1)), again.err());
    }

    @Test
    void logInspectReadsALogThatARunningServiceHolds() throws Exception {
        Path log = tmp.resolve("log-live");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-live").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            leaveInDoubt(tm, "orders");
            Run text = run("log", "inspect", log.toString());
            assertEquals(0, text.code(), text.err());
            assertTrue(text.out().contains("in doubt (committed, branches unfinished): 1"), text.out());
            assertTrue(text.out().contains("branches: orders/00000001, stock/00000002"), text.out());
            assertTrue(svc.health().isUp(), "the service keeps its log: " + svc.health().summary());
        }
    }

    @Test
    void recoverExitsWithTwoAndSaysWhatIsLeftWhenAPassCannotFinishEverything() throws Exception {
        Path log = tmp.resolve("log-left");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-left").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            leaveInDoubt(tm, "orders");
        }
        Path cfg = tmp.resolve("left.properties");
        // only "stock" is configured: the branch on "orders" cannot be finished by this pass
        Files.writeString(cfg, "node-name=cli-left\nlog-directory=" + log + "\nresource.stock.xa-datasource=org.h2.jdbcx.JdbcDataSource\n"
                + "resource.stock.url=jdbc:h2:file:" + tmp.resolve("stock-db") + "\nresource.stock.user=sa\n");
        Run r = run("recover", "--config", cfg.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 1 pending"), r.out());
        assertTrue(r.out().contains("orders") && r.out().contains("not registered for recovery"), r.out());
        Run inspect = run("log", "inspect", log.toString());
        assertTrue(inspect.out().contains("in doubt (committed, branches unfinished): 1"), "the decision stays: " + inspect.out());
    }

    @Test
    void logResolveRefusesAPathThatHoldsNoLogAndMakesNoLogThere() throws Exception {
        String gtrid = "cli-typo:00000000000000000000000000000001";
        Path typo = tmp.resolve("pledge-lgo");
        assertOneLine(run("log", "resolve", gtrid, "--log-dir", typo.toString(), "--commit"),
                "pledge: No recovery log at " + typo.toAbsolutePath() + ": not a directory", "");
        assertFalse(Files.exists(typo), "no log was made at the mistyped path");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertOneLine(run("log", "resolve", gtrid, "--log-dir", empty.toString(), "--rollback"),
                "pledge: No recovery log in " + empty.toAbsolutePath() + ": it holds no segment file", "");
        try (var files = Files.list(empty)) {
            assertEquals(List.of(), files.toList(), "nothing written into it");
        }
    }

    @Test
    void logResolveNeedsExactlyOneOfCommitAndRollback() throws Exception {
        Path log = tmp.resolve("log-outcome");
        TransactionService.builder().nodeName("cli-outcome").logDirectory(log).recoveryInterval(Duration.ZERO).build().close();
        String gtrid = "cli-outcome:00000000000000000000000000000001";
        Run neither = run("log", "resolve", gtrid, "--log-dir", log.toString());
        assertEquals(2, neither.code(), neither.out() + neither.err());
        assertTrue(neither.err().contains("--commit") && neither.err().contains("--rollback"), neither.err());
        Run both = run("log", "resolve", gtrid, "--log-dir", log.toString(), "--commit", "--rollback");
        assertEquals(2, both.code(), both.out() + both.err());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }

    @Test
    void recoverRefusesALogDirectoryThatDoesNotExistForItsPassWouldRollEveryBranchBack() throws Exception {
        Path typo = tmp.resolve("pledge-lgo");
        Path cfg = tmp.resolve("typo.properties");
        Files.writeString(cfg, "node-name=cli-typo\nlog-directory=" + typo + "\nresource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\n"
                + "resource.db.url=jdbc:h2:file:" + tmp.resolve("typo-db") + "\nresource.db.user=sa\n");
        assertOneLine(run("recover", "--config", cfg.toString()), "pledge: " + cfg + ": log-directory " + typo.toAbsolutePath()
                + " does not exist", "would roll back every prepared branch of node 'cli-typo' (presumed abort)");
        assertFalse(Files.exists(typo), "no log was made at the mistyped path");
        Files.createDirectories(typo); // the node's log is lost for good: the operator says so by making the directory
        Run r = run("recover", "--config", cfg.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 0 pending", r.out().strip());
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndExitsWithZero() {
        for (String command : List.of("", "demo", "recover", "log", "log inspect", "log resolve", "cluster", "cluster status")) {
            List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("Usage: pledge" + (command.isEmpty() ? "" : " " + command)), command + ": " + r.out());
        }
    }

    @Test
    void recoverCommitsAndRollsBackRealInDoubtH2BranchesLeftByAHaltedCoordinator() throws Exception {
        Path banks = Files.createDirectories(tmp.resolve("banks"));
        Path log = tmp.resolve("rlog");
        Bank a = new Bank("bank-a", banks);
        Bank b = new Bank("bank-b", banks);
        a.create(3, 1_000);
        b.create(3, 1_000);
        ChildJvm.Exit child = ChildJvm.run(H2InDoubtChild.class, tmp.resolve("child.out"), 120, log.toString(), banks.toString());
        assertEquals(CrashPoint.HALT_STATUS, child.status(), child.output());
        assertEquals(1, inDoubt(a), "tx-undecided is prepared in bank-a");
        assertEquals(2, inDoubt(b), "tx-undecided and tx-decided are prepared in bank-b");

        Path cfg = tmp.resolve("pledge.properties");
        Files.writeString(cfg, "node-name=" + H2InDoubtChild.NODE + "\nlog-directory=" + log + "\n"
                + "resource.bank-a.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.bank-a.url=jdbc:h2:file:" + banks.resolve("bank-a")
                + "\nresource.bank-a.user=sa\n"
                + "resource.bank-b.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.bank-b.url=jdbc:h2:file:" + banks.resolve("bank-b")
                + "\nresource.bank-b.user=sa\n");
        Run r = run("recover", "--config", cfg.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("recovery pass: 1 committed, 2 rolled back, 0 heuristic, 0 pending", r.out().strip());

        assertEquals(0, inDoubt(a));
        assertEquals(0, inDoubt(b));
        assertEquals(Set.of("tx-decided"), a.transfers(), "the decided transfer committed in both, the undecided in neither");
        assertEquals(Set.of("tx-decided"), b.transfers());
        assertEquals(List.of(1_000L, 1_000L, 950L), balances(a));
        assertEquals(List.of(1_000L, 1_000L, 1_050L), balances(b));

        Run second = run("recover", "--config", cfg.toString());
        assertEquals("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 0 pending", second.out().strip());
        Run inspect = run("log", "inspect", log.toString());
        assertTrue(inspect.out().contains("in doubt (committed, branches unfinished): 0"), inspect.out());
    }

    @Test
    void recoverFinishesTheInDoubtBranchesOfANodeWhoseLogIsADatabaseNamedInTheConfigFile() throws Exception {
        Path banks = Files.createDirectories(tmp.resolve("dbbanks"));
        // WRITE_DELAY=0: H2 otherwise writes committed transactions to its file up to a second later, and the halt loses them
        String logUrl = "jdbc:h2:file:" + tmp.resolve("logdb").toAbsolutePath() + ";WRITE_DELAY=0";
        Bank a = new Bank("bank-a", banks);
        Bank b = new Bank("bank-b", banks);
        a.create(3, 1_000);
        b.create(3, 1_000);
        ChildJvm.Exit child = ChildJvm.run(H2InDoubtChild.class, tmp.resolve("dbchild.out"), 120, logUrl, banks.toString());
        assertEquals(CrashPoint.HALT_STATUS, child.status(), child.output());
        assertEquals(1, inDoubt(a));
        assertEquals(2, inDoubt(b));

        Path cfg = tmp.resolve("dblog.properties");
        Files.writeString(cfg, "node-name=" + H2InDoubtChild.NODE + "\ndatabase-log.url=" + logUrl + "\ndatabase-log.user=sa\n"
                + "database-log.password=\ndatabase-log.table-prefix=pledge_\n"
                + "resource.bank-a.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.bank-a.url=jdbc:h2:file:" + banks.resolve("bank-a")
                + "\nresource.bank-a.user=sa\n"
                + "resource.bank-b.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.bank-b.url=jdbc:h2:file:" + banks.resolve("bank-b")
                + "\nresource.bank-b.user=sa\n");
        // the halted service's node row stays leased for up to 30 s (the database's clock): until then recover refuses clearly
        Run r = run("recover", "--config", cfg.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (r.code() == 1 && System.nanoTime() < deadline) {
            assertTrue(r.err().contains("is held by a live Pledge service") && r.err().contains("lease"), r.err());
            Thread.sleep(2_000);
            r = run("recover", "--config", cfg.toString());
        }
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("recovery pass: 1 committed, 2 rolled back, 0 heuristic, 0 pending", r.out().strip());
        assertEquals(0, inDoubt(a));
        assertEquals(0, inDoubt(b));
        assertEquals(Set.of("tx-decided"), a.transfers());
        assertEquals(Set.of("tx-decided"), b.transfers());

        Path both = tmp.resolve("both.properties");
        Files.writeString(both, "node-name=x\nlog-directory=" + tmp.resolve("l2") + "\ndatabase-log.url=" + logUrl
                + "\nresource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\nresource.db.url=jdbc:h2:file:" + tmp.resolve("db2") + "\n");
        Run refused = run("recover", "--config", both.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("names both log-directory and database-log.url"), refused.err());
    }

    @Test
    void recoverCommitsABranchLeftPreparedOnArtemisThroughAJmsConnectionFactoryDeclaredWithTheCdiKeys() throws Exception {
        Path log = tmp.resolve("log-jms");
        try (EmbeddedBroker broker = EmbeddedBroker.start(tmp.resolve("broker"))) {
            try (TransactionService svc = TransactionService.builder().nodeName("cli-jms").logDirectory(log)
                    .recoveryInterval(Duration.ZERO).build();
                    jakarta.jms.XAConnection xc = broker.xaConnectionFactory().createXAConnection()) {
                jakarta.jms.XASession xs = xc.createXASession();
                TransactionManager tm = svc.transactionManager();
                tm.begin();
                // two branches on the broker, so that the commit is two-phase: one commits, the other's commit is lost
                tm.getTransaction().enlistResource(PledgeXAResource.named("events", false, xc.createXASession().getXAResource()));
                tm.getTransaction().enlistResource(PledgeXAResource.named("events", false, commitNeverArrives(xs.getXAResource())));
                xs.getSession().createProducer(xs.getSession().createQueue("cli.events")).send(xs.getSession().createTextMessage("order 1"));
                tm.commit(); // decided; the broker's branch stays prepared, left to recovery
            }
            assertEquals(0, broker.messageCount("cli.events"), "the message waits in a prepared branch");
            Path cfg = tmp.resolve("recover-jms.properties");
            Files.writeString(cfg, "node-name=cli-jms\nlog-directory=" + log + "\n"
                    + "jms.events.xa-factory-class=org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory\n"
                    + "jms.events.url=" + broker.xaConnectionFactory().toURI() + "\njms.events.max-connections=4\n");
            Run r = run("recover", "--config", cfg.toString());
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("1 committed"), r.out());
            assertEquals(List.of("order 1"), broker.drain("cli.events"), "recovery committed the broker's branch");
        }
    }

    /** {@code broker}'s resource, except that commit never reaches the broker: it fails as a lost connection would. */
    private static XAResource commitNeverArrives(XAResource broker) {
        return (XAResource) java.lang.reflect.Proxy.newProxyInstance(XAResource.class.getClassLoader(), new Class<?>[] {XAResource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        throw new XAException(XAException.XAER_RMFAIL);
                    }
                    try {
                        return method.invoke(broker, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void recoverRefusesTheLogOfAnotherNodeNameAndTakesItOverWithRenamedFrom() throws Exception {
        Path log = tmp.resolve("renamed-log");
        TransactionService.builder().nodeName("cli-old").logDirectory(log).recoveryInterval(Duration.ZERO).build().close();
        Path cfg = tmp.resolve("renamed.properties");
        String settings = "node-name=cli-new\nlog-directory=" + log + "\nresource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\n"
                + "resource.db.url=jdbc:h2:file:" + tmp.resolve("renamed-db") + "\nresource.db.user=sa\n";
        Files.writeString(cfg, settings);
        Run refused = run("recover", "--config", cfg.toString());
        assertEquals(1, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("belongs to node name 'cli-old'") && refused.err().contains("renamedFrom(\"cli-old\")"), refused.err());
        assertEquals("cli-old", Files.readString(log.resolve("node-name")).strip());
        Files.writeString(cfg, settings + "renamed-from=cli-old\nresolve-by-xid=org.example.PlainXAResource\n");
        Run taken = run("recover", "--config", cfg.toString());
        assertEquals(0, taken.code(), taken.out() + taken.err());
        assertEquals("recovery pass: 0 committed, 0 rolled back, 0 heuristic, 0 pending", taken.out().strip());
        assertEquals("cli-new", Files.readString(log.resolve("node-name")).strip());
    }

    @Test
    void errorsAreOneLineWithTheRemedyAndVerboseAddsTheStackTrace() throws Exception {
        // log directory held by a running service
        Path held = tmp.resolve("held");
        try (TransactionService svc = TransactionService.builder().nodeName("cli-err").logDirectory(held).recoveryInterval(Duration.ZERO).build()) {
            Run locked = run("log", "resolve", "cli-err:00000000000000000000000000000001", "--log-dir", held.toString(), "--commit");
            assertOneLine(locked, "pledge: Recovery log " + held.toAbsolutePath() + " is in use by another Pledge transaction service",
                    "stop the other one");
        }
        // corrupt log: names the file and the offset
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        Files.write(corrupt.resolve("pledge-0000000000000001.log"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'l', 'o', 'g', 1, 2, 3, 4, 5, 6, 7,
                8, 9, 10, 11, 12, 13, 14, 15});
        assertOneLine(run("log", "inspect", corrupt.toString()), "pledge: Recovery log " + corrupt.resolve("pledge-0000000000000001.log")
                + " is corrupt at offset 0", "Restore the directory from a backup");
        // missing configuration file
        Path missing = tmp.resolve("nowhere.properties");
        assertOneLine(run("recover", "--config", missing.toString()), "pledge: configuration file " + missing.toAbsolutePath() + " does not exist",
                "create it with node-name, log-directory and resource.NAME.xa-datasource");
        // a key the file must not have
        Path cfg = tmp.resolve("bad.properties");
        Files.writeString(cfg, "node-name=cli-err\nlog-directory=" + tmp.resolve("l") + "\nlog-dir=oops\n");
        assertOneLine(run("recover", "--config", cfg.toString()), "pledge: " + cfg + ": unknown key 'log-dir'",
                "expected node-name, log-directory, renamed-from, resolve-by-xid, database-log.url, database-log.user, database-log.password,"
                + " database-log.table-prefix, resource.NAME.KEY or jms.NAME.KEY");
        // a data source setting its class does not have
        Files.writeString(cfg, "node-name=cli-err\nlog-directory=" + tmp.resolve("l") + "\nresource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\n"
                + "resource.db.colour=blue\n");
        assertOneLine(run("recover", "--config", cfg.toString()), "pledge: " + cfg + ": resource 'db': org.h2.jdbcx.JdbcDataSource has no setter for 'colour'",
                "");
        // an unreachable database: nothing listens on port 1
        Files.writeString(cfg, "node-name=cli-err\nlog-directory=" + tmp.resolve("l") + "\nresource.db.xa-datasource=com.mysql.cj.jdbc.MysqlXADataSource\n"
                + "resource.db.url=jdbc:mysql://127.0.0.1:1/pledge_cli\nresource.db.user=root\n");
        Run unreachable = run("recover", "--config", cfg.toString());
        assertOneLine(unreachable, "pledge: cannot connect to resource 'db' at jdbc:mysql://127.0.0.1:1/pledge_cli: Communications link failure",
                "Check that the database is running and resource.db.url/user/password in " + cfg);
        assertFalse(Files.exists(tmp.resolve("l")), "no log was created for a pass that could not run");

        // --verbose, before or after the subcommand, adds the stack trace
        for (String[] args : List.of(new String[] {"--verbose", "recover", "--config", missing.toString()},
                new String[] {"recover", "--config", missing.toString(), "--verbose"})) {
            Run verbose = run(args);
            assertEquals(1, verbose.code());
            assertTrue(verbose.err().startsWith("pledge: configuration file "), verbose.err());
            assertTrue(verbose.err().contains("\tat dev.pledge.cli.RecoveryConfig.load"), verbose.err());
        }
    }

    @Test
    void recoverPrintsNoPasswordFromItsConfigurationEvenWithVerbose() throws Exception {
        String marker = "Marker-s3cret";
        Path cfg = tmp.resolve("secret.properties");
        // the CDI extension's keys (datasource.NAME.*, pool settings ignored) work here too
        Files.writeString(cfg, "node-name=cli-secret\nlog-directory=" + tmp.resolve("l2") + "\ndatasource.db.xa-class=com.mysql.cj.jdbc.MysqlXADataSource\n"
                + "datasource.db.url=jdbc:mysql://shop:" + marker + "@127.0.0.1:1/pledge_cli?password=" + marker + "\n"
                + "datasource.db.max-pool-size=4\ndatasource.db.user=root\ndatasource.db.password=" + marker + "\n");
        for (String[] args : List.of(new String[] {"recover", "--config", cfg.toString()}, new String[] {"--verbose", "recover", "--config", cfg.toString()})) {
            Run r = run(args);
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("cannot connect to resource 'db' at jdbc:mysql://shop:****@127.0.0.1:1/pledge_cli?password=****"), r.err());
            assertFalse((r.out() + r.err()).contains(marker), r.out() + r.err());
        }
        // a value its setter refuses is named without its content when the key is a secret
        Files.writeString(cfg, "node-name=cli-secret\nlog-directory=" + tmp.resolve("l2") + "\nresource.db.xa-datasource=org.h2.jdbcx.JdbcDataSource\n"
                + "resource.db.login-timeout-password=" + marker + "\n");
        Run r = run("recover", "--config", cfg.toString());
        assertFalse((r.out() + r.err()).contains(marker), r.out() + r.err());
    }

    /** Commits a transaction over {@code failing} and "stock" whose commit on {@code failing} fails: decided, left to recovery. */
    private static void leaveInDoubt(TransactionManager tm, String failing) throws Exception {
        tm.begin();
        tm.getTransaction().enlistResource(new Scripted(failing, XAException.XAER_RMFAIL));
        tm.getTransaction().enlistResource(new Scripted("stock", 0));
        tm.commit();
    }

    private static void assertOneLine(Run r, String start, String remedy) {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith(start), err);
        assertTrue(err.contains(remedy), err);
        assertTrue(err.endsWith("(--verbose shows the stack trace)"), err);
        assertFalse(err.contains("\tat "), err);
    }

    private static int inDoubt(Bank bank) throws Exception {
        try (Connection c = bank.dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.IN_DOUBT")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<Long> balances(Bank bank) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = bank.dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT balance FROM account ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
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
