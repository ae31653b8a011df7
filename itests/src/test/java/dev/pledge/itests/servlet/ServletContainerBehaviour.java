package dev.pledge.itests.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.itests.servlet.ShopClient.Outcome;
import dev.pledge.tm.TransactionService;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop (samples/shop-war) deployed in a standalone servlet container started as a process of
 * its own, with Pledge in the server's lib/ and the resources in the server's configuration; the
 * tests talk to it over HTTP only, and check the outcome on MariaDB, PostgreSQL and Artemis
 * themselves. One subclass per server.
 */
abstract class ServletContainerBehaviour {
    static final String PLENTY = "plenty";
    static final String SCARCE = "scarce";
    static final int SCARCE_STOCK = 40;
    static final int PLENTY_STOCK = 1_000_000;
    static final int CLIENTS = 8;
    /** Crash rounds per server; the default keeps the two servers' default run at ten rounds in all. */
    static final int CRASH_ROUNDS = Integer.getInteger("pledge.servlet.crashRounds", 10);
    private static final java.util.regex.Pattern RECOVERY_COMMITS = java.util.regex.Pattern.compile("recovery pass: (\\d+) committed, (\\d+) rolled back");

    @TempDir
    Path dir;
    private ShopBroker broker;
    private final List<ShopServer> servers = new ArrayList<>();

    /** A server of this subclass's kind in {@code base}, not started. */
    abstract ShopServer newServer(Path base, ShopSettings settings) throws IOException;

    /** The Pledge node name of this subclass's servers. */
    abstract String node();

    @BeforeEach
    void startBrokerAndResetTables() throws Exception {
        Map<String, Integer> stock = new java.util.HashMap<>(Map.of(PLENTY, PLENTY_STOCK, SCARCE, SCARCE_STOCK));
        for (int c = 0; c < CLIENTS; c++) {
            stock.put(ownSku(c), PLENTY_STOCK);
        }
        ShopDatabases.reset(stock);
        broker = ShopBroker.start(dir.resolve("broker"));
    }

    @AfterEach
    void killServersAndStopBroker() throws Exception {
        servers.forEach(ShopServer::close);
        if (broker != null) {
            broker.close();
        }
    }

    /** A SKU of one client's own, so that the crash rounds' clients do not queue on one stock row's lock. */
    private static String ownSku(int client) {
        return PLENTY + "-" + client;
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private ShopSettings settings() {
        return ShopSettings.of(node(), dir.resolve("pledge-log"), broker.url());
    }

    private ShopServer server(String baseName, ShopSettings settings) throws IOException {
        ShopServer s = newServer(dir.resolve(baseName), settings);
        servers.add(s);
        return s;
    }

    @Test
    void ordersFromEightClientsCommitOnAllThreeResourcesOrOnNone() throws Exception {
        ShopServer server = server("server", settings()).startShop();
        OrderLedger ledger = new OrderLedger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int thread = t;
            clients.add(started("client-" + t, () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int n = 0; n < 20; n++) {
                    String id = "c" + thread + "-" + n;
                    String sku = random.nextBoolean() ? PLENTY : SCARCE;
                    int quantity = 1 + random.nextInt(3);
                    try {
                        ledger.record(id, sku, quantity, server.client().order(id, sku, quantity));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread c : clients) {
            c.join();
        }

        assertEquals(0, ledger.count(Outcome.FAILED) + ledger.count(Outcome.UNANSWERED),
                "every order is placed or refused for want of stock: " + ledger.counts() + "\n" + server.log());
        assertTrue(ledger.count(Outcome.PLACED) > 0 && ledger.count(Outcome.OUT_OF_STOCK) > 0,
                "orders of both kinds, placed and out of stock: " + ledger.counts());
        assertEveryOrderHasOneOutcomeEverywhere(ledger);
        for (String sku : List.of(PLENTY, SCARCE)) {
            assertEquals(sku.equals(PLENTY) ? PLENTY_STOCK : SCARCE_STOCK, ShopDatabases.stock(sku) + ShopDatabases.reserved(sku),
                    "stock of " + sku + " plus its reservations is the initial stock");
            HttpResponse<String> stock = server.client().get("/stock/" + sku);
            assertEquals(200, stock.statusCode());
            assertTrue(stock.body().contains("\"quantity\":" + ShopDatabases.stock(sku) + "}"), stock.body());
        }
        String placed = ShopDatabases.orders().keySet().iterator().next();
        HttpResponse<String> order = server.client().get("/orders/" + placed);
        assertEquals(200, order.statusCode(), order.body());
        assertTrue(order.body().contains("\"id\":\"" + placed + "\""), order.body());
    }

    @Test
    void aStockOutRollsBackTheOrderAndSendsNothing() throws Exception {
        ShopServer server = server("server", settings()).startShop();

        assertEquals(Outcome.OUT_OF_STOCK, server.client().order("too-many", SCARCE, SCARCE_STOCK + 1));

        assertEquals(404, server.client().get("/orders/too-many").statusCode(), "the order row was rolled back on PostgreSQL");
        assertTrue(server.client().get("/stock/" + SCARCE).body().contains("\"quantity\":" + SCARCE_STOCK + "}"), "stock unchanged");
        assertEquals(Map.of(), ShopDatabases.reservations(), "no reservation on MariaDB");
        assertEquals(Map.of(), broker.drainOrderMessages(), "no message on Artemis");
        assertEquals(Outcome.PLACED, server.client().order("just-enough", SCARCE, SCARCE_STOCK), "the shop still takes orders");
    }

    @Test
    void killedInMidCommitItFinishesEveryOrderWhenStartedAgain() throws Exception {
        broker.delayPhaseTwo(100);
        ShopServer server = server("server", settings()).startShop();
        OrderLedger ledger = new OrderLedger();
        int killsWithPreparedBranches = 0;
        StringBuilder rounds = new StringBuilder();
        for (int round = 1; round <= CRASH_ROUNDS; round++) {
            long began = System.nanoTime();
            List<String> preparedAtKill = orderUntilKilled(server, ledger, round);
            killsWithPreparedBranches += preparedAtKill.isEmpty() ? 0 : 1;
            rounds.append(" round ").append(round).append(": ").append(preparedAtKill.size()).append(" branches prepared at the kill;");

            server.start();
            server.awaitShop();
            long restarted = System.nanoTime();
            awaitNothingInDoubt(server);
            rounds.append(" ").append(TimeUnit.NANOSECONDS.toMillis(restarted - began)).append(" ms to restart, ")
                    .append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted)).append(" ms to recover;");
        }
        String log = server.log();
        System.out.println(getClass().getSimpleName() + ": " + ledger.counts() + ";" + rounds + " recovery passes committed "
                + RECOVERY_COMMITS.matcher(log).results().mapToInt(m -> Integer.parseInt(m.group(1))).sum() + " and rolled back "
                + RECOVERY_COMMITS.matcher(log).results().mapToInt(m -> Integer.parseInt(m.group(2))).sum() + " branches");

        assertTrue(ledger.count(Outcome.PLACED) > 0, "orders were placed between the kills: " + ledger.counts());
        assertTrue(killsWithPreparedBranches > 0, "at least one kill -9 hit a transaction in its two-phase commit (branches prepared"
                + " on MariaDB, PostgreSQL or Artemis when the server died):" + rounds);
        assertTrue(RECOVERY_COMMITS.matcher(server.log()).results().anyMatch(m -> Integer.parseInt(m.group(1)) > 0),
                "at least one kill -9 came after a commit decision, and a restarted server's recovery committed its branches:\n"
                        + String.join("\n", server.log().lines().filter(l -> l.contains("recovery pass")).toList()));
        assertEveryOrderHasOneOutcomeEverywhere(ledger);
        for (int c = 0; c < CLIENTS; c++) {
            assertEquals(PLENTY_STOCK, ShopDatabases.stock(ownSku(c)) + ShopDatabases.reserved(ownSku(c)),
                    "stock of " + ownSku(c) + " plus its reservations is the initial stock");
        }
    }

    /** Eight clients order until the server is killed (kill -9) at a random moment; returns the branches prepared right then. */
    private List<String> orderUntilKilled(ShopServer server, OrderLedger ledger, int round) throws Exception {
        List<Thread> clients = new ArrayList<>();
        var killed = new java.util.concurrent.atomic.AtomicBoolean();
        var placed = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < CLIENTS; t++) {
            int thread = t;
            clients.add(started("client-" + t, () -> {
                for (int n = 0; !killed.get(); n++) {
                    String id = "r" + round + "-c" + thread + "-" + n;
                    try {
                        Outcome outcome = server.client().order(id, ownSku(thread), 1);
                        ledger.record(id, ownSku(thread), 1, outcome);
                        if (outcome == Outcome.PLACED) {
                            placed.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        // let some orders commit, then kill at a random moment of the load
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (placed.get() < CLIENTS && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(ThreadLocalRandom.current().nextInt(100, 800));
        server.kill();
        killed.set(true);
        List<String> prepared = new ArrayList<>(ShopDatabases.preparedOf(node()));
        broker.preparedOf(node()).forEach(x -> prepared.add("Artemis " + x));
        for (Thread c : clients) {
            c.join();
        }
        return prepared;
    }

    /** Waits until the restarted server's recovery has finished: no decision in doubt, no branch prepared anywhere. */
    private void awaitNothingInDoubt(ShopServer server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            int inDoubt = server.client().inDoubt();
            List<String> prepared = ShopDatabases.preparedOf(node());
            List<?> onBroker = broker.preparedOf(node());
            if (inDoubt == 0 && prepared.isEmpty() && onBroker.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("60 s after the restart: " + inDoubt + " in doubt, prepared " + prepared + ", on Artemis " + onBroker
                        + "\n" + server.log());
            }
            Thread.sleep(250);
        }
    }

    private void assertEveryOrderHasOneOutcomeEverywhere(OrderLedger ledger) throws Exception {
        List<String> problems = ledger.problems(ShopDatabases.orders(), ShopDatabases.reservations(), broker.drainOrderMessages());
        assertTrue(problems.isEmpty(), problems.size() + " orders without one outcome on all three resources, e.g. "
                + problems.subList(0, Math.min(20, problems.size())) + "; clients saw " + ledger.counts());
        assertEquals(List.of(), ShopDatabases.preparedOf(node()), "nothing prepared on MariaDB or PostgreSQL");
        assertEquals(List.of(), broker.preparedOf(node()), "nothing prepared on Artemis");
    }

    @Test
    void theHealthEndpointReportsTheServicesHealthUpAndDownWhileTheLogDirectoryIsGone() throws Exception {
        ShopServer server = server("server", settings()).startShop();
        assertEquals(Outcome.PLACED, server.client().order("healthy", PLENTY, 1));
        HttpResponse<String> up = server.client().get("/pledge/health");
        assertEquals(200, up.statusCode(), up.body());
        for (String field : List.of("\"status\":\"UP\"", "\"node\":\"" + node() + "\"", "\"logUsable\":true", "\"fenced\":false",
                "\"inDoubtDecisions\":0", "\"heuristicOutcomes\":0", "\"clean\":true")) {
            assertTrue(up.body().contains(field), field + " in " + up.body());
        }
        java.nio.file.Path log = settings().logDirectory();
        java.nio.file.Path aside = log.resolveSibling(log.getFileName() + "-aside");
        java.nio.file.Files.move(log, aside);
        try {
            HttpResponse<String> down = server.client().get("/pledge/health");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("\"status\":\"DOWN\"") && down.body().contains("\"logUsable\":false")
                    && down.body().contains(log.toString()), "DOWN with the problem naming the log directory: " + down.body());
        } finally {
            java.nio.file.Files.move(aside, log);
        }
        assertEquals(200, server.client().get("/pledge/health").statusCode(), "UP again with the directory back");
    }

    @Test
    void aCleanShutdownLeavesNothingInDoubtAndReleasesTheLog() throws Exception {
        ShopServer server = server("server", settings()).startShop();
        OrderLedger ledger = new OrderLedger();
        for (int n = 0; n < 10; n++) {
            ledger.record("o" + n, PLENTY, 1, server.client().order("o" + n, PLENTY, 1));
        }

        server.stop();

        assertTrue(server.log().contains("Pledge transaction service '" + node() + "' closed"),
                "the shop closed its transaction service:\n" + server.log());
        // the log's lock is free and nothing is left in it: a service in this JVM opens it and finds no decision pending
        try (TransactionService svc = TransactionService.builder().nodeName(node()).logDirectory(settings().logDirectory())
                .recoveryInterval(Duration.ZERO).build()) {
            assertEquals(0, svc.metrics().getPendingDecisions(), "decisions left in the log");
        }
        assertEquals(10, ledger.count(Outcome.PLACED), ledger.counts().toString());
        assertEveryOrderHasOneOutcomeEverywhere(ledger);
    }

    @Test
    void aRedeploymentLeavesNoThreadNothingInDoubtAndNoLockOnTheLog() throws Exception {
        ShopServer server = server("server", settings()).startShop();
        assertEquals(Outcome.PLACED, server.client().order("before", PLENTY, 1));
        int threadsBefore = server.client().pledgeThreads();

        server.redeploy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ShopServer.START_SECONDS);
        while (count(server.log(), "Data source '" + ShopSettings.STOCK + "' ready") < 2
                || count(server.log(), "connection factory '" + ShopSettings.BROKER + "' closed") < 1 || !server.client().isUp()) {
            assertTrue(System.nanoTime() < deadline, "the shop was not redeployed within " + ShopServer.START_SECONDS + " s:\n" + server.log());
            Thread.sleep(200);
        }

        assertEquals(Outcome.PLACED, server.client().order("after", PLENTY, 1), "the redeployed shop takes orders");
        assertEquals(threadsBefore, server.client().pledgeThreads(), "Pledge's threads in the server, after as before the redeployment");
        assertEquals(0, server.client().inDoubt());
        server.stop();
        assertTrue(server.log().contains("Pledge transaction service '" + node() + "' closed"), "the service closed:\n" + server.log());
        try (TransactionService svc = TransactionService.builder().nodeName(node()).logDirectory(settings().logDirectory())
                .recoveryInterval(Duration.ZERO).build()) {
            assertEquals(0, svc.metrics().getPendingDecisions(), "decisions left in the log");
        }
        OrderLedger ledger = new OrderLedger();
        ledger.record("before", PLENTY, 1, Outcome.PLACED);
        ledger.record("after", PLENTY, 1, Outcome.PLACED);
        assertEveryOrderHasOneOutcomeEverywhere(ledger);
    }

    private static int count(String text, String line) {
        int n = 0;
        for (int i = text.indexOf(line); i >= 0; i = text.indexOf(line, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aSecondServerOnTheSameLogDirectoryIsRefused() throws Exception {
        ShopServer first = server("first", settings()).startShop();

        ShopServer second = server("second", settings()).start();
        String log = second.awaitDeploymentFailure();

        // refused by the node name's claim on this host, or (another node name) by the log's lock
        assertTrue(log.contains("Node name '" + node() + "' is already in use by another live process on this host")
                || log.contains("Recovery log " + settings().logDirectory() + " is in use by another Pledge transaction service"),
                "the second server's log says why:\n" + log);
        assertEquals(Outcome.PLACED, first.client().order("still-there", PLENTY, 1), "the first server still takes orders");
    }

    @Test
    void aMissingLogDirectoryFailsTheDeploymentNamingTheAttribute() throws Exception {
        ShopServer server = server("server", settings().withoutLogDirectory()).start();

        String log = server.awaitDeploymentFailure();

        assertTrue(log.contains("has no logDirectory (or databaseLog.url / databaseLog.jndiName) to start it with"),
                "the server's log names the attribute:\n" + log);
    }

    @Test
    void aWrongXaClassFailsTheDeploymentNamingTheAttribute() throws Exception {
        ShopServer server = server("server", settings().withStockXaClass("com.mysql.cj.jdbc.MysqlDataSource")).start();

        String log = server.awaitDeploymentFailure();

        assertTrue(log.contains("xaDataSourceClass = 'com.mysql.cj.jdbc.MysqlDataSource'")
                && (log.contains("is not a javax.sql.XADataSource") || log.contains("is not an allowed XA data source class")),
                "the server's log names the attribute:\n" + log);
    }

    @Test
    void anUnreachableDatabaseFailsTheDeploymentNamingTheAttribute() throws Exception {
        String nowhere = "jdbc:mysql://127.0.0.1:" + freePort() + "/" + ShopSettings.DATABASE;
        ShopServer server = server("server", settings().withStockUrl(nowhere)).start();

        String log = server.awaitDeploymentFailure();

        assertTrue(log.contains("Data source '" + ShopSettings.STOCK + "' cannot connect") && log.contains("xa.url = '" + nowhere + "'"),
                "the server's log names the attribute:\n" + log);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
