package dev.pledge.itests.servlet;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone servlet container with the shop deployed at {@code /shop}: its own base directory
 * (configuration, lib/, webapps, logs) under a test directory, started as a process of its own, on
 * a free HTTP port. Subclasses write the server's configuration and say how to start it.
 */
abstract class ShopServer implements AutoCloseable {
    /** How long a start may take on a loaded two-core machine. */
    static final int START_SECONDS = 90;

    protected final Path base;
    protected final ShopSettings settings;
    protected final int port;
    private final ShopClient client;
    private ServerProcess process;
    private int starts;

    protected ShopServer(Path base, ShopSettings settings) throws IOException {
        this.base = base;
        this.settings = settings;
        this.port = freePort();
        this.client = new ShopClient(URI.create("http://127.0.0.1:" + port));
    }

    /** The server's name in messages. */
    abstract String name();

    /** Writes the base directory: configuration binding the shop's resources, the jars in lib/, the WAR. */
    protected abstract void configure() throws IOException;

    /**
     * The system property that lets the server's JNDI references start a service with the log of
     * these settings: a reference may put its log only under the server's base or an allowed root,
     * and the tests keep one log outside every server's base, so that a second server can share it.
     */
    protected String allowedLogRoot() {
        Path root = settings.logDirectory() == null ? base : settings.logDirectory().toAbsolutePath().getParent();
        return "-Ddev.pledge.jndi.logRoots=" + root;
    }

    protected abstract List<String> command();

    protected abstract Map<String, String> environment();

    /** The file whose change makes the running server redeploy the shop (hot deployment is on in both servers' test setup). */
    protected abstract Path redeployTrigger();

    /** Makes the running server undeploy and deploy the shop again, as an operator replacing it would. */
    void redeploy() throws IOException {
        Path trigger = redeployTrigger();
        Files.setLastModifiedTime(trigger, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
    }

    /** Whether the server's log says the shop failed to deploy. */
    protected abstract boolean deploymentFailed(String log);

    /** The system property that names an unpacked distribution; fails naming it when it is missing. */
    static Path distribution(String property, String what) {
        String value = System.getProperty(property);
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new AssertionError(what + " is missing: system property " + property + " = " + value + ". The itests build unpacks"
                    + " it into target/servers (maven-dependency-plugin, phase generate-test-resources): run the tests through Maven,"
                    + " e.g. mvn -pl itests -am test -Dtest='*ShopTest'");
        }
        return Path.of(value);
    }

    static Path shopWar() {
        String value = System.getProperty("pledge.shop.war");
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new AssertionError("The shop's WAR is missing: system property pledge.shop.war = " + value
                    + ". Build samples/shop-war in the same reactor: mvn -pl itests -am test");
        }
        return Path.of(value);
    }

    /**
     * Puts the jars a server's lib/ needs into {@code lib}: Agroal, pooled-jms, the drivers, the Artemis client
     * (as samples/shop-war's build copies them; {@code keep} chooses among them) and Pledge's modules.
     */
    static void installLib(Path lib, java.util.function.Predicate<Path> keep) throws IOException {
        copyAll(serverLib().stream().filter(keep).toList(), lib);
        PledgeJars.write(lib);
    }

    private static List<Path> serverLib() throws IOException {
        String value = System.getProperty("pledge.server.lib");
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new AssertionError("The servers' lib/ jars are missing: system property pledge.server.lib = " + value
                    + ". samples/shop-war's build copies them to its target/server-lib: mvn -pl itests -am test");
        }
        try (var jars = Files.list(Path.of(value))) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    static void copyAll(List<Path> files, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Path f : files) {
            Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Starts the server process (configuring the base directory the first time). */
    ShopServer start() throws IOException {
        if (starts == 0) {
            Files.createDirectories(base.resolve("logs"));
            configure();
        }
        starts++;
        process = ServerProcess.start(name(), command(), base, environment(), base.resolve("logs").resolve("console-" + starts + ".log"));
        return this;
    }

    /** Starts the server and waits until the shop answers. */
    ShopServer startShop() throws IOException, InterruptedException {
        start();
        awaitShop();
        return this;
    }

    /** Waits until {@code GET /pledge/status} answers; fails with the server's log if the server dies or the shop fails to deploy. */
    void awaitShop() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (client.isUp()) {
                return;
            }
            String log = process.log();
            if (!process.isAlive() || deploymentFailed(log)) {
                throw new AssertionError(name() + " did not deploy the shop (" + process + "):\n" + log);
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name() + " did not deploy the shop within " + START_SECONDS + " s (" + process + "):\n" + process.log());
    }

    /** Waits until the server's log says the shop failed to deploy; returns that log. Fails if the shop deploys instead. */
    String awaitDeploymentFailure() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            String log = process.log();
            if (deploymentFailed(log)) {
                return log;
            }
            if (client.isUp()) {
                throw new AssertionError(name() + " deployed the shop although its configuration is wrong (" + process + ")");
            }
            if (!process.isAlive()) {
                return log;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name() + " neither deployed nor failed to deploy the shop within " + START_SECONDS + " s:\n" + process.log());
    }

    ShopClient client() {
        return client;
    }

    ServerProcess process() {
        return process;
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.kill();
    }

    /** A clean shutdown (SIGTERM), waiting for the process to exit. */
    void stop() throws InterruptedException {
        process.stop(60);
    }

    /** The console logs of every start so far. */
    String log() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            b.append(Files.readString(base.resolve("logs").resolve("console-" + i + ".log")));
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (process != null) {
            process.killQuietly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
