package dev.pledge.itests.jee;

import dev.pledge.itests.FaultyXADataSource;
import dev.pledge.itests.Servers;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;

/**
 * Two Hibernate persistence units, on MariaDB and PostgreSQL (database {@value #DATABASE} on each),
 * written through {@link TransactionalDataSource}s in one {@code @Transactional} method. No JTA
 * platform is configured: Hibernate finds Pledge's through its provider.
 */
@ApplicationScoped
public class TwoDatabases {
    static final String DATABASE = "pledge_jee";
    static final String MARIADB = "jee-maria";
    static final String POSTGRES = "jee-pg";
    /** System property of the crash test: {@code M:POINT} or {@code P:POINT} halts the JVM at that point of 2PC. */
    static final String FAULT = "jee.fault";

    @Inject
    TransactionService service;
    private TransactionalDataSource mariaDb;
    private TransactionalDataSource postgres;
    private SessionFactory mariaDbUnit;
    private SessionFactory postgresUnit;

    @PostConstruct
    void open() {
        try {
            Servers.createDatabases(DATABASE);
            createTable(Servers.mariaDbConnection(DATABASE));
            createTable(Servers.postgresConnection(DATABASE));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        mariaDb = TransactionalDataSource.builder(service).name(MARIADB).xaDataSource(faulty("M", Servers.mariaDb(DATABASE)))
                .maxPoolSize(2).build();
        postgres = TransactionalDataSource.builder(service).name(POSTGRES).xaDataSource(faulty("P", Servers.postgres(DATABASE)))
                .maxPoolSize(2).build();
        mariaDbUnit = persistenceUnit(mariaDb, "org.hibernate.dialect.MariaDBDialect");
        postgresUnit = persistenceUnit(postgres, "org.hibernate.dialect.PostgreSQLDialect");
    }

    @PreDestroy
    void close() {
        mariaDbUnit.close();
        postgresUnit.close();
        mariaDb.close();
        postgres.close();
    }

    /** Stores a note in both databases, then throws {@code failure} if it is not null. */
    @Transactional
    public void write(long id, String text, RuntimeException failure) {
        mariaDbUnit.getCurrentSession().persist(new Note(id, text));
        postgresUnit.getCurrentSession().persist(new Note(id, text));
        if (failure != null) {
            throw failure;
        }
    }

    /** The JTA platforms Hibernate chose for the two units. */
    List<JtaPlatform> platforms() {
        return List.of(platformOf(mariaDbUnit), platformOf(postgresUnit));
    }

    private static JtaPlatform platformOf(SessionFactory unit) {
        return unit.unwrap(SessionFactoryImplementor.class).getServiceRegistry().getService(JtaPlatform.class);
    }

    private static SessionFactory persistenceUnit(DataSource ds, String dialect) {
        Configuration cfg = new Configuration().addAnnotatedClass(Note.class);
        cfg.getProperties().put(AvailableSettings.DATASOURCE, ds);
        cfg.setProperty(AvailableSettings.DIALECT, dialect);
        cfg.setProperty(AvailableSettings.TRANSACTION_COORDINATOR_STRATEGY, "jta");
        cfg.setProperty(AvailableSettings.CURRENT_SESSION_CONTEXT_CLASS, "jta");
        return cfg.buildSessionFactory();
    }

    private static void createTable(Connection connection) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS jee_note (id BIGINT PRIMARY KEY, text VARCHAR(200) NOT NULL)");
        }
    }

    /** The committed text of note {@code id} in MariaDB, read on a plain connection. */
    static Optional<String> inMariaDb(long id) throws SQLException {
        return text(Servers.mariaDbConnection(DATABASE), id);
    }

    /** The committed text of note {@code id} in PostgreSQL, read on a plain connection. */
    static Optional<String> inPostgres(long id) throws SQLException {
        return text(Servers.postgresConnection(DATABASE), id);
    }

    private static Optional<String> text(Connection connection, long id) throws SQLException {
        try (Connection c = connection; PreparedStatement ps = c.prepareStatement("SELECT text FROM jee_note WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Test fault injection: halts the JVM at the point named by system property {@value #FAULT}, if it names {@code target}. */
    private static XADataSource faulty(String target, XADataSource ds) {
        String fault = System.getProperty(FAULT);
        if (fault == null || !fault.startsWith(target + ":")) {
            return ds;
        }
        FaultyXADataSource.Point point = FaultyXADataSource.Point.valueOf(fault.substring(2));
        return new FaultyXADataSource(ds, point, 1, () -> Runtime.getRuntime().halt(HibernateCrashApp.HALT_STATUS));
    }
}
