package dev.pledge.spring.boot.crash;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The application that {@code SpringApplicationKilledMidCommitTest} kills: a Boot application
 * (the starter, {@code pledge.datasources.*} on MariaDB and PostgreSQL, Boot's Artemis
 * auto-configuration) whose threads run {@link Transfers#transfer} until the JVM is killed. Once
 * started (and so once its start-up recovery pass ran) it prints {@code recovered: <report>} and
 * {@code ready}; with the argument {@code --recover-only} it then exits.
 */
@SpringBootApplication
public class CrashTransferApplication {
    public static final String QUEUE = "boot.crash.transfers";
    public static final String ACCOUNTS = "boot_crash_account";
    public static final String TRANSFERS = "boot_crash_transfer";
    public static final int ACCOUNT_COUNT = 8;
    static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = SpringApplication.run(CrashTransferApplication.class, args);
        RecoveryReport report = context.getBean(TransactionService.class).recovery().runPass();
        System.out.println("recovered: " + report);
        if (java.util.Arrays.asList(args).contains("--recover-only")) {
            System.out.println("ready");
            System.out.flush();
            context.close();
            return;
        }
        Transfers transfers = context.getBean(Transfers.class);
        for (int t = 0; t < THREADS; t++) {
            Thread worker = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                    try {
                        transfers.transfer(UUID.randomUUID().toString(), rnd.nextInt(ACCOUNT_COUNT), rnd.nextInt(ACCOUNT_COUNT), rnd.nextLong(1, 100));
                    } catch (RuntimeException e) {
                        System.out.println("transfer failed: " + e);
                    }
                }
            }, "transfer-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
        System.out.println("not killed within 120 s");
        System.exit(3);
    }

    /** One transfer: debit on MariaDB, credit on PostgreSQL (each recording the transfer id) and a message, in one transaction. */
    @Service
    public static class Transfers {
        private final JdbcTemplate mariadb;
        private final JdbcTemplate postgres;
        private final JmsTemplate jms;

        Transfers(@Qualifier("mariadb") DataSource mariadb, @Qualifier("postgres") DataSource postgres, JmsTemplate jms) {
            this.mariadb = new JdbcTemplate(mariadb);
            this.postgres = new JdbcTemplate(postgres);
            this.jms = jms;
        }

        @Transactional
        public void transfer(String id, int from, int to, long amount) {
            mariadb.update("UPDATE " + ACCOUNTS + " SET balance = balance - ? WHERE id = ?", amount, from);
            mariadb.update("INSERT INTO " + TRANSFERS + " (id) VALUES (?)", id);
            postgres.update("UPDATE " + ACCOUNTS + " SET balance = balance + ? WHERE id = ?", amount, to);
            postgres.update("INSERT INTO " + TRANSFERS + " (id) VALUES (?)", id);
            jms.convertAndSend(QUEUE, id);
        }
    }
}
