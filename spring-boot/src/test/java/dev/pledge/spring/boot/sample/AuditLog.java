package dev.pledge.spring.boot.sample;

import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** An audit trail on PostgreSQL ({@code boot_audit}) written in a transaction of its own. */
@Component
public class AuditLog {
    private final JdbcTemplate jdbc;

    AuditLog(@Qualifier("postgres") DataSource postgres) {
        this.jdbc = new JdbcTemplate(postgres);
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(String id) {
        jdbc.update("INSERT INTO boot_audit (id) VALUES (?)", id);
    }
}
