package dev.pledge.itests.jee;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;

/** One H2 table of labelled rows, written through a {@link TransactionalDataSource} and read back outside any transaction. */
@ApplicationScoped
public class LedgerTable {
    static final String URL = "jdbc:h2:mem:jee_cdi;DB_CLOSE_DELAY=-1";

    @Inject
    TransactionService service;
    private TransactionalDataSource ds;

    @PostConstruct
    void open() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(URL);
        ds = TransactionalDataSource.builder(service).name("jee-h2").xaDataSource(h2).maxPoolSize(4).build();
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ledger (label VARCHAR(100) PRIMARY KEY)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void close() {
        ds.close();
    }

    /** Inserts {@code label} in the caller's transaction, if any. */
    public void insert(String label) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO ledger (label) VALUES (?)")) {
            ps.setString(1, label);
            ps.executeUpdate();
        }
    }

    /** Whether {@code label} is committed, read on a plain connection. */
    public boolean committed(String label) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ledger WHERE label = ?")) {
            ps.setString(1, label);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public List<String> all() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT label FROM ledger ORDER BY label")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
