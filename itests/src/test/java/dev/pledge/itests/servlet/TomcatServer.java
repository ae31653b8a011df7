package dev.pledge.itests.servlet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Tomcat 11 standalone: the distribution unpacked by the build is CATALINA_HOME; this server's
 * CATALINA_BASE holds conf/ (server.xml with the shutdown port off and a free HTTP port, context.xml
 * with Pledge's {@code Transaction} and {@code Resource} elements), lib/ with Pledge and the drivers,
 * and webapps/shop.war. Started with {@code bin/catalina.sh run}, which execs the JVM.
 */
final class TomcatServer extends ShopServer {
    private final Path home = distribution("pledge.tomcat.home", "Tomcat (org.apache.tomcat:tomcat tar.gz)");

    TomcatServer(Path base, ShopSettings settings) throws IOException {
        super(base, settings);
    }

    @Override
    String name() {
        return "Tomcat";
    }

    @Override
    protected void configure() throws IOException {
        Path conf = base.resolve("conf");
        Files.createDirectories(conf);
        try (var files = Files.list(home.resolve("conf"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, conf.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(conf.resolve("server.xml"), serverXml());
        // the jars in lib/ hold no TLDs or web fragments: scanning the ~50 of them only slows every deployment down
        Files.writeString(conf.resolve("catalina.properties"), "\ntomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(conf.resolve("context.xml"), TomcatContextXml.of(settings));
        installLib(base.resolve("lib"), jar -> true);
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(shopWar(), base.resolve("webapps").resolve("shop.war"), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(base.resolve("temp"));
        Files.createDirectories(base.resolve("work"));
    }

    private String serverXml() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Server port="-1" shutdown="SHUTDOWN">
                  <Service name="Catalina">
                    <Connector address="127.0.0.1" port="%d" protocol="HTTP/1.1" connectionTimeout="20000"/>
                    <Engine name="Catalina" defaultHost="localhost" backgroundProcessorDelay="1">
                      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="true"/>
                    </Engine>
                  </Service>
                </Server>
                """.formatted(port);
    }

    @Override
    protected Path redeployTrigger() {
        return base.resolve("webapps").resolve("shop.war");
    }

    @Override
    protected List<String> command() {
        return List.of("sh", home.resolve("bin").resolve("catalina.sh").toString(), "run");
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("CATALINA_HOME", home.toString(), "CATALINA_BASE", base.toString(), "JAVA_HOME", System.getProperty("java.home"),
                "CATALINA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k " + allowedLogRoot(),
                "CATALINA_OUT", base.resolve("logs").resolve("catalina.out").toString());
    }

    @Override
    protected boolean deploymentFailed(String log) {
        return log.contains("Context [/shop] startup failed") || log.contains("Error deploying web application archive");
    }
}
