package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.jta.JtaTransactionManager;

/** What the auto-configuration builds from properties alone, and how it steps aside for the application's own beans. */
class AutoConfigurationBackOffTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=backoff", "pledge.recovery-interval=0",
                        "pledge.default-timeout=7s");
    }

    @Test
    void propertiesAloneGiveATransactionServiceAndSpringsJtaTransactionManagerOverIt() {
        runner().run(context -> {
            TransactionService svc = context.getBean(TransactionService.class);
            assertThat(svc.nodeName()).isEqualTo("backoff");
            assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOfSatisfying(JtaTransactionManager.class, tm -> {
                assertThat(tm.getTransactionManager()).isSameAs(svc.transactionManager());
                assertThat(tm.getUserTransaction()).isSameAs(svc.userTransaction());
                assertThat(tm.getTransactionSynchronizationRegistry()).isSameAs(svc.synchronizationRegistry());
            });
            assertThat(context.getBean(jakarta.transaction.TransactionManager.class)).isSameAs(svc.transactionManager());
            svc.transactionManager().begin();
            try {
                assertThat(svc.transactionManager().getTransaction().toString()).isNotEmpty();
            } finally {
                svc.transactionManager().rollback();
            }
        });
    }

    @Test
    void closingTheContextClosesTheServiceAndReleasesItsLog() {
        runner().run(context -> assertThat(context).hasSingleBean(TransactionService.class));
        // the log is held exclusively while a service is open: a new one can only open it once the context closed the first
        try (TransactionService again = TransactionService.builder().nodeName("backoff").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            assertThat(again.nodeName()).isEqualTo("backoff");
        }
    }

    @Test
    void shutdownWaitsForARunningTransactionToCommitBeforeClosingTheService() throws Exception {
        java.util.concurrent.CountDownLatch begun = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong committedAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        long[] closedAt = new long[1];
        runner().run(context -> {
            TransactionService svc = context.getBean(TransactionService.class);
            org.springframework.transaction.support.TransactionTemplate tx =
                    new org.springframework.transaction.support.TransactionTemplate(context.getBean(PlatformTransactionManager.class));
            Thread worker = new Thread(() -> {
                try {
                    tx.executeWithoutResult(status -> {
                        begun.countDown();
                        sleep(800);
                    });
                    committedAt.set(System.nanoTime());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            worker.start();
            assertThat(begun.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(svc.metrics().getActiveTransactions()).isEqualTo(1);
            context.close(); // the runner's own close afterwards is a no-op
            closedAt[0] = System.nanoTime();
            worker.join(10_000);
            assertThat(failure.get()).as("the running transaction").isNull();
            assertThat(svc.metrics().getCommitted()).isEqualTo(1);
        });
        assertThat(committedAt.get()).as("committed before the context finished closing").isPositive().isLessThanOrEqualTo(closedAt[0]);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void backsOffForTheApplicationsOwnTransactionService() {
        try (TransactionService own = TransactionService.builder().nodeName("own").logDirectory(dir.resolve("own"))
                .recoveryInterval(Duration.ZERO).build()) {
            runner().withBean("myService", TransactionService.class, () -> own, bd -> bd.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context).hasSingleBean(TransactionService.class);
                        assertThat(context.getBean(TransactionService.class)).isSameAs(own);
                        assertThat(context.getBean(JtaTransactionManager.class).getTransactionManager()).isSameAs(own.transactionManager());
                    });
        }
    }

    @Test
    void backsOffForTheApplicationsOwnPlatformTransactionManager() {
        runner().withUserConfiguration(OwnTransactionManager.class).run(context -> {
            assertThat(context).hasSingleBean(PlatformTransactionManager.class);
            assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(DataSourceTransactionManager.class);
            assertThat(context).doesNotHaveBean(JtaTransactionManager.class);
            assertThat(context).hasSingleBean(TransactionService.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTransactionManager {
        @Bean
        PlatformTransactionManager myTransactionManager() {
            return new DataSourceTransactionManager(new SimpleDriverDataSource());
        }
    }
}
