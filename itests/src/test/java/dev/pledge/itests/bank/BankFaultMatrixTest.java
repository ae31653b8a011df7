package dev.pledge.itests.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.itests.ChildJvm;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bank ({@link Bank}: Hibernate on MariaDB and PostgreSQL, a JMS notification through Artemis
 * and ZooKeeper locks on the accounts, in one {@code @Transactional} method) under a fault matrix.
 * <p>
 * The bank's beans are deployed in this JVM by Arquillian (Weld embedded), which runs the
 * in-process transfers and the checks (the lock table is read through the deployed
 * {@link BankResources}). The coordinator under fault is a child JVM ({@link BankApp}, Weld SE
 * with the same beans) under load from several threads, because a JVM cannot SIGKILL itself and
 * be checked afterwards; its log is recovered by a new service in this JVM after every round.
 */
@ExtendWith(ArquillianExtension.class)
class BankFaultMatrixTest {
    static final String NODE = "e2e-bank";
    static final String CONTAINER_NODE = "e2e-arq";
    private static final int THREADS = 3;

    static final Path CONTAINER_LOG;

    static {
        // the transaction service of the Arquillian deployment, read by the Pledge CDI extension
        try {
            CONTAINER_LOG = Files.createTempDirectory("pledge-e2e-arq-log");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.setProperty("pledge.nodeName", CONTAINER_NODE);
        System.setProperty("pledge.logDirectory", CONTAINER_LOG.toString());
        System.setProperty("pledge.recoveryInterval", "0");
    }

    enum Fault {
        COORDINATOR_KILLED, MARIADB_KILLED, BROKER_RESTARTED, ZK_SESSION_EXPIRED
    }

    record Round(int number, Fault fault, String point, int committed, String inChild, RecoveryReport recovery, List<BankChecks.Check> checks) {
        boolean ok() {
            return checks.stream().allMatch(BankChecks.Check::ok);
        }
    }

    static Path dir;
    static TestingServer zooKeeper;
    static PrivateMariaDb mariaDb;
    static BankBroker broker;
    static BankConfig config;
    static BankChecks checks;

    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class).addClasses(Bank.class, Bank.InsufficientFunds.class, BankResources.class, Account.class,
                Transfer.class).addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    Bank bank;
    @Inject
    BankResources resources;
    @Inject
    TransactionService service;

    @BeforeAll
    static void startServers() throws Exception {
        dir = Files.createTempDirectory("pledge-e2e");
        zooKeeper = new TestingServer(true);
        mariaDb = PrivateMariaDb.start(dir.resolve("mariadb"));
        broker = BankBroker.start(dir.resolve("broker"));
        config = new BankConfig(mariaDb.port(), broker.url(), zooKeeper.getConnectString());
        config.toSystemProperties();
        checks = new BankChecks(mariaDb, broker);
        checks.createDatabases();
        // branches an interrupted earlier run left in PostgreSQL under our node names: presumed abort on a fresh log
        LogRecovery.recover(dir.resolve("stale-log"), NODE, config);
        // the deployment's service already holds CONTAINER_NODE's claim on this host, but no test has run in it yet, so it
        // has nothing prepared that this pass could roll back: the pass claims the name elsewhere
        LogRecovery.recover(dir.resolve("stale-arq-log"), CONTAINER_NODE, config, dir.resolve("stale-arq-claims"));
        checks.openAccounts();
        broker.drain(BankConfig.QUEUE);
    }

    @AfterAll
    static void stopServers() throws Exception {
        BankConfig.clearSystemProperties();
        System.clearProperty("pledge.nodeName");
        System.clearProperty("pledge.logDirectory");
        System.clearProperty("pledge.recoveryInterval");
        try (AutoCloseable z = zooKeeper; AutoCloseable m = mariaDb; AutoCloseable b = broker) {
            // closed in reverse order
        }
    }

    @Test
    void aTransferThatWouldOverdrawLeavesNoTraceInEitherDatabaseTheBrokerOrTheLocks() throws Exception {
        int before = checks.committedTransfers().size();
        bank.transfer(UUID.randomUUID().toString(), BankConfig.mariaDbAccount(0), BankConfig.postgresAccount(0), 10);
        bank.transfer(UUID.randomUUID().toString(), BankConfig.postgresAccount(1), BankConfig.mariaDbAccount(1), 20);
        assertThrows(Bank.InsufficientFunds.class, () -> bank.transfer(UUID.randomUUID().toString(), BankConfig.mariaDbAccount(2),
                BankConfig.postgresAccount(2), 10 * BankConfig.OPENING_BALANCE));
        assertEquals(before + 2, checks.committedTransfers().size());
        // the container's service is running: its log is not checked here (the fault rounds check the closed coordinator's)
        List<BankChecks.Check> result = checks.run(resources.locks(), service.transactionManager(), null, CONTAINER_NODE);
        assertTrue(result.stream().allMatch(BankChecks.Check::ok), result.toString());
    }

    @Test
    void everyRoundOfTheFaultMatrixEndsConsistentAfterRecovery() throws Exception {
        List<Fault> matrix = new ArrayList<>();
        Collections.addAll(matrix, Collections.nCopies(8, Fault.COORDINATOR_KILLED).toArray(Fault[]::new));
        Collections.addAll(matrix, Collections.nCopies(4, Fault.MARIADB_KILLED).toArray(Fault[]::new));
        Collections.addAll(matrix, Collections.nCopies(4, Fault.BROKER_RESTARTED).toArray(Fault[]::new));
        Collections.addAll(matrix, Collections.nCopies(4, Fault.ZK_SESSION_EXPIRED).toArray(Fault[]::new));
        String only = System.getProperty("e2e.faults");
        if (only != null) {
            // e.g. -De2e.faults=BROKER_RESTARTED: a matrix of those faults only, as many rounds as e2e.rounds says
            List<Fault> chosen = java.util.Arrays.stream(only.split(",")).map(String::trim).map(Fault::valueOf).toList();
            matrix.clear();
            for (int i = 0, n = Integer.getInteger("e2e.rounds", 4); i < n; i++) {
                matrix.add(chosen.get(i % chosen.size()));
            }
        }
        Collections.shuffle(matrix);
        int limit = Integer.getInteger("e2e.rounds", matrix.size());
        List<Round> rounds = new ArrayList<>();
        for (Fault fault : matrix.subList(0, limit)) {
            rounds.add(round(rounds.size() + 1, fault));
            System.out.println(table(rounds.subList(rounds.size() - 1, rounds.size())));
        }
        String table = table(rounds);
        System.out.println(table);
        assertTrue(rounds.stream().allMatch(Round::ok), table);
        List<Round> expiries = rounds.stream().filter(r -> r.fault() == Fault.ZK_SESSION_EXPIRED).toList();
        assertTrue(expiries.isEmpty() || expiries.stream().anyMatch(r -> r.inChild().contains("lock-vote-no")),
                "no transfer saw the lock service vote no after a session expiry:\n" + table);
    }

    private Round round(int number, Fault fault) throws Exception {
        Path log = dir.resolve("log"); // one coordinator log for every round, as one deployed application has
        Path out = dir.resolve("round-" + number + ".txt");
        int before = checks.committedTransfers().size();
        Process child = ChildJvm.start(out, BankApp.class, concat(new String[] {log.toString(), NODE, Integer.toString(THREADS)}, config.args()));
        String point = "?";
        String inChild;
        try (Writer stdin = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
            ChildJvm.awaitLine(child, out, "ready", 120);
            long delay = ThreadLocalRandom.current().nextLong(300, 2000);
            Thread.sleep(delay);
            point = delay + " ms into the load";
            switch (fault) {
                case COORDINATOR_KILLED -> {
                    child.destroyForcibly();
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed coordinator did not exit");
                }
                case MARIADB_KILLED -> {
                    mariaDb.kill();
                    long down = ThreadLocalRandom.current().nextLong(0, 1000);
                    Thread.sleep(down);
                    mariaDb.startServer();
                    point += ", down " + down + " ms";
                }
                case BROKER_RESTARTED -> broker.restart();
                case ZK_SESSION_EXPIRED -> {
                    stdin.write("expire\n");
                    stdin.flush();
                    ChildJvm.awaitLine(child, out, "expired", 30);
                }
            }
            if (fault != Fault.COORDINATOR_KILLED) {
                Thread.sleep(1000); // the load goes on after the fault
                stdin.write("stop\n");
                stdin.flush();
            }
        } catch (IOException e) {
            if (fault != Fault.COORDINATOR_KILLED) {
                throw e;
            }
        }
        if (fault == Fault.COORDINATOR_KILLED) {
            inChild = "killed";
        } else {
            boolean exited = child.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
            }
            assertTrue(exited, "the coordinator did not stop within 90 s of being told to:\n" + Files.readString(out));
            List<String> lines = Files.readAllLines(out);
            assertEquals(0, child.exitValue(), "the coordinator failed:\n" + String.join("\n", lines));
            inChild = lines.stream().filter(l -> l.startsWith("failed ")).findFirst().orElse("failed ?").substring(7);
        }
        RecoveryReport report = LogRecovery.recover(log, NODE, config);
        List<BankChecks.Check> result = new ArrayList<>(checks.run(resources.locks(), service.transactionManager(), log, NODE));
        result.add(0, new BankChecks.Check("recovery pass clean", report.isClean(), report.toString()));
        int committed = checks.committedTransfers().size() - before;
        return new Round(number, fault, point, committed, inChild, report, result);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static String table(List<Round> rounds) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-19s %-32s %9s %11s %12s  %s%n", "round", "fault", "point", "committed",
                "rec.commit", "rec.rollback", "checks"));
        for (Round r : rounds) {
            sb.append(String.format("%-5d %-19s %-32s %9d %11d %12d  %s%n", r.number(), r.fault(), r.point(), r.committed(),
                    r.recovery().committed(), r.recovery().rolledBack(), r.ok() ? "all " + r.checks().size() + " ok" : "FAILED"));
            sb.append("      failures in the coordinator: ").append(r.inChild()).append('\n');
            r.checks().stream().filter(c -> !c.ok()).forEach(c -> sb.append("      ").append(c).append('\n'));
        }
        return sb.toString();
    }
}
