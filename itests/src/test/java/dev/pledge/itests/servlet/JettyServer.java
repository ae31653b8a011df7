package dev.pledge.itests.servlet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Jetty 12 (ee10) standalone: the jetty-home unpacked by the build, and a jetty base of this
 * server's own with start.ini (modules http, ext, ee10-deploy, ee10-plus, ee10-annotations, graceful; the
 * free port given on the command line), lib/ext with Pledge and the drivers, and webapps/shop.xml binding the shop's resources.
 * Started with {@code java -jar start.jar} in one JVM (no --exec fork).
 */
final class JettyServer extends ShopServer {
    private final Path home = distribution("pledge.jetty.home", "Jetty (org.eclipse.jetty:jetty-home tar.gz)");

    JettyServer(Path base, ShopSettings settings) throws IOException {
        super(base, settings);
    }

    @Override
    String name() {
        return "Jetty";
    }

    @Override
    protected void configure() throws IOException {
        Files.writeString(base.resolve("start.ini"), """
                --module=http
                --module=ext
                --module=ee10-deploy
                --module=ee10-plus
                --module=ee10-annotations
                --module=graceful
                jetty.server.stopTimeout=30000
                """);
        Files.createDirectories(base.resolve("temp"));
        // Jetty logs through SLF4J itself (module logging-jetty): Pledge's SLF4J jars stay out
        installLib(base.resolve("lib").resolve("ext"), jar -> !jar.getFileName().toString().startsWith("slf4j-"));
        Path war = base.resolve("wars").resolve("shop.war");
        Files.createDirectories(war.getParent());
        Files.copy(shopWar(), war, StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(base.resolve("webapps"));
        Files.writeString(base.resolve("webapps").resolve("shop.xml"), JettyContextXml.of(settings, war));
    }

    @Override
    protected Path redeployTrigger() {
        return base.resolve("webapps").resolve("shop.xml");
    }

    @Override
    protected List<String> command() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss512k", "-Djava.io.tmpdir=" + base.resolve("temp"), allowedLogRoot(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base, "jetty.http.host=127.0.0.1", "jetty.http.port=" + port,
                "jetty.deploy.scanInterval=1");
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of();
    }

    @Override
    protected boolean deploymentFailed(String log) {
        return log.contains("Failed startup of context") || log.contains("Unable to reach node goal");
    }
}
