package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.jee.ServiceRegistry;
import dev.pledge.jee.naming.DataSourceFactory;
import dev.pledge.jee.naming.UserTransactionFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ContextResource;
import org.apache.tomcat.util.descriptor.web.ContextTransaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded Tomcat 10.1 with JNDI: the context binds {@code java:comp/UserTransaction} and two
 * data sources on H2 files through Pledge's ObjectFactories, as a context.xml would, and a servlet
 * commits (or rolls back) one insert into each.
 */
class TomcatJndiTest {
    static final String NODE = "jee-tomcat";

    @TempDir
    Path dir;
    private Tomcat tomcat;
    private URI transfer;

    private String url(String db) {
        return "jdbc:h2:file:" + dir.resolve(db) + ";DB_CLOSE_DELAY=-1";
    }

    @BeforeEach
    void start() throws Exception {
        for (String db : new String[] {"a", "b"}) {
            try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE transfer (id BIGINT PRIMARY KEY)");
            }
        }
        tomcat = new Tomcat();
        tomcat.setBaseDir(dir.resolve("tomcat").toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        tomcat.enableNaming();
        Context ctx = tomcat.addContext("", dir.toString());

        // <Transaction factory="dev.pledge.jee.naming.UserTransactionFactory" nodeName=… logDirectory=… recoveryInterval="0"/>
        ContextTransaction tx = new ContextTransaction();
        tx.setProperty("factory", UserTransactionFactory.class.getName());
        tx.setProperty("nodeName", NODE);
        tx.setProperty("logDirectory", dir.resolve("tomcat").resolve("pledge-log").toString()); // under catalina.base, where a reference may put it
        tx.setProperty("recoveryInterval", "0");
        ctx.getNamingResources().setTransaction(tx);
        // <Resource name="jdbc/a" type="javax.sql.DataSource" factory="dev.pledge.jee.naming.DataSourceFactory" closeMethod="close" …/>
        for (String db : new String[] {"a", "b"}) {
            ContextResource r = new ContextResource();
            r.setName("jdbc/" + db);
            r.setType("javax.sql.DataSource");
            r.setCloseMethod("close");
            r.setProperty("factory", DataSourceFactory.class.getName());
            r.setProperty("nodeName", NODE);
            r.setProperty("dataSourceName", "jee-tomcat-" + db);
            r.setProperty("xaDataSourceClass", "org.h2.jdbcx.JdbcDataSource");
            r.setProperty("xa.URL", url(db));
            r.setProperty("maxPoolSize", "4");
            ctx.getNamingResources().addResource(r);
        }
        Tomcat.addServlet(ctx, "transfer", new TransferServlet());
        ctx.addServletMappingDecoded("/transfer", "transfer");
        tomcat.start();
        transfer = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/transfer");
    }

    @AfterEach
    void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        ServiceRegistry.close(NODE);
    }

    private String post(long id, boolean fail) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(transfer)
                .POST(HttpRequest.BodyPublishers.ofString("id=" + id + "&fail=" + fail))
                .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private boolean committed(String db, long id) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(db)); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM transfer WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Test
    void aServletCommitsAcrossTwoDatabasesThroughTheJndiUserTransactionAndDataSources() throws Exception {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        assertEquals("committed", post(id, false));
        assertTrue(committed("a", id));
        assertTrue(committed("b", id));
    }

    @Test
    void aServletRollbackLeavesBothDatabasesUntouched() throws Exception {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        assertEquals("rolled back: asked to fail", post(id, true));
        assertFalse(committed("a", id));
        assertFalse(committed("b", id));
    }
}
