package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.jms.JMSContext;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application writes: a {@link TransactionalDataSource} on MariaDB and a
 * {@link TransactionalConnectionFactory} on Artemis, both enlisting by themselves, with no XA
 * code in the application. The row and the message commit together or not at all.
 */
class DataSourceAndConnectionFactoryTogetherTest {
    static final String TABLE = "adp_jms_orders";

    @TempDir
    Path tmp;

    TestBroker broker;
    TransactionService svc;
    TransactionalDataSource db;
    TransactionalConnectionFactory jms;

    @BeforeEach
    void setUp() throws Exception {
        MariaDb.requireRunningAndReset();
        try (Connection c = DriverManager.getConnection(MariaDb.URL, "root", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY) ENGINE=InnoDB");
        }
        broker = TestBroker.start("adp-db-jms", tmp.resolve("broker"));
        svc = TransactionService.builder().nodeName("adp-jms-jdbc").logDirectory(tmp.resolve("log")).recoveryInterval(Duration.ZERO)
                .build();
        db = TransactionalDataSource.builder(svc).name("adp-orders-db").xaDataSource(MariaDb.dataSource()).maxPoolSize(2).build();
        jms = TransactionalConnectionFactory.builder(svc).name("adp-orders-broker").xaConnectionFactory(broker.xaConnectionFactory())
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        jms.close();
        db.close();
        svc.close();
        broker.close();
        try (Connection c = DriverManager.getConnection(MariaDb.URL, "root", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /** The message goes out first, then the row: a failing insert must take the message back with it. */
    private void sendThenInsert(int messageId, int rowId) throws SQLException {
        try (JMSContext ctx = jms.createContext()) {
            ctx.createProducer().setProperty(Messages.ID, messageId).send(ctx.createQueue("orders"), "order " + messageId);
        }
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?)")) {
            ps.setInt(1, rowId);
            ps.executeUpdate();
        }
    }

    private static int rows() throws SQLException {
        try (Connection c = DriverManager.getConnection(MariaDb.URL, "root", ""); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void rowAndMessageOfSelfEnlistingResourcesCommitTogether() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        sendThenInsert(1, 1);
        tm.commit();
        assertEquals(1, rows());
        assertEquals(List.of(1), Messages.drain(Messages.plain(broker), "orders", 500));
        assertEquals(0, db.metrics().activeCount(), "the enlisted connection is back in the pool");
    }

    @Test
    void failedInsertTakesBackTheMessageSentBeforeIt() throws Exception {
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        sendThenInsert(1, 1);
        tm.commit();
        Messages.drain(Messages.plain(broker), "orders", 300);

        tm.begin();
        assertThrows(SQLException.class, () -> sendThenInsert(2, 1), "duplicate key");
        tm.setRollbackOnly();
        assertThrows(RollbackException.class, tm::commit);
        assertEquals(1, rows());
        assertEquals(List.of(), Messages.drain(Messages.plain(broker), "orders", 500), "the message must not outlive the failed insert");
        assertEquals(0, db.metrics().activeCount());
    }
}
