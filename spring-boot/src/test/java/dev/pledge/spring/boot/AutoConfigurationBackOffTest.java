package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;
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
        AtomicLong committedAt = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] closedAt = new long[1];
        runner().run(context -> {
            TransactionService svc = context.getBean(TransactionService.class);
            Thread worker = runningTransaction(context, () -> { }, 800, () -> committedAt.set(System.nanoTime()), failure);
            assertThat(svc.metrics().getActiveTransactions()).isEqualTo(1);
            context.close(); // the runner's own close afterwards is a no-op
            closedAt[0] = System.nanoTime();
            worker.join(10_000);
            assertThat(failure.get()).as("the running transaction").isNull();
            assertThat(svc.metrics().getCommitted()).isEqualTo(1);
        });
        assertThat(committedAt.get()).as("committed before the context finished closing").isPositive().isLessThanOrEqualTo(closedAt[0]);
    }

    @Test
    void shutdownWaitsNoLongerThanPledgeShutdownTimeoutAndATransactionThatRunsOnIsRolledBack() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Branch first = new Branch();
        Branch second = new Branch();
        runner().withPropertyValues("pledge.shutdown-timeout=300ms").run(context -> {
            TransactionService svc = context.getBean(TransactionService.class);
            Thread worker = runningTransaction(context, () -> {
                try {
                    svc.transactionManager().getTransaction().enlistResource(first);
                    svc.transactionManager().getTransaction().enlistResource(second);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 3_000, () -> { }, failure);
            long start = System.nanoTime();
            context.close();
            long closingMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(worker.isAlive()).as("the transaction still runs when the context has closed").isTrue();
            assertThat(closingMillis).as("waited for the shutdown timeout, then closed").isBetween(250L, 2_500L);
            worker.join(10_000);
            assertThat(failure.get()).as("the transaction that outlived its service").isInstanceOf(UnexpectedRollbackException.class);
            assertThat(first.calls).as("its first branch").contains("rollback").doesNotContain("commit");
            assertThat(second.calls).as("its second branch").contains("rollback").doesNotContain("commit");
            assertThat(svc.metrics().getCommitted()).isZero();
        });
    }

    /**
     * Starts a thread that runs one Spring transaction: {@code work}, then {@code millis} of sleep, then
     * {@code committed} once it committed (a failure goes to {@code failure}); returns once the work is done.
     */
    private static Thread runningTransaction(ApplicationContext context, Runnable work, long millis, Runnable committed,
                                             AtomicReference<Throwable> failure) throws InterruptedException {
        CountDownLatch begun = new CountDownLatch(1);
        TransactionTemplate tx = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        Thread worker = new Thread(() -> {
            try {
                tx.executeWithoutResult(status -> {
                    work.run();
                    begun.countDown();
                    sleep(millis);
                });
                committed.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        assertThat(begun.await(10, TimeUnit.SECONDS)).as("the transaction began and did its work").isTrue();
        return worker;
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

    @Test
    void theStarterAddsItsXaWrappersMeterBinderAndHealthIndicator() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(PledgeXADataSourceWrapper.class).hasSingleBean(PledgeXAConnectionFactoryWrapper.class)
                    .hasSingleBean(dev.pledge.tm.PledgeMeterBinder.class);
            assertThat(context.getBean("pledgeHealthIndicator")).isInstanceOf(PledgeHealthIndicator.class);
        });
    }

    @Test
    void eachPartBacksOffForTheApplicationsOwn() {
        runner().withUserConfiguration(OwnParts.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PledgeXADataSourceWrapper.class).doesNotHaveBean(PledgeXAConnectionFactoryWrapper.class)
                    .doesNotHaveBean(PledgeHealthIndicator.class);
            assertThat(context).getBeanNames(org.springframework.boot.jdbc.XADataSourceWrapper.class).containsExactly("ownXaDataSourceWrapper");
            assertThat(context).getBeanNames(org.springframework.boot.jms.XAConnectionFactoryWrapper.class)
                    .containsExactly("ownXaConnectionFactoryWrapper");
            assertThat(context).getBeanNames(dev.pledge.tm.PledgeMeterBinder.class).containsExactly("ownMeterBinder");
            assertThat(context.getBean("pledgeHealthIndicator")).isSameAs(context.getBean(OwnParts.class).health);
        });
    }

    /** The application's own version of each part the starter would add. */
    @Configuration(proxyBeanMethods = false)
    static class OwnParts {
        final org.springframework.boot.health.contributor.HealthIndicator health =
                () -> org.springframework.boot.health.contributor.Health.up().withDetail("own", true).build();

        @Bean
        org.springframework.boot.jdbc.XADataSourceWrapper ownXaDataSourceWrapper() {
            return xa -> new SimpleDriverDataSource();
        }

        @Bean
        org.springframework.boot.jms.XAConnectionFactoryWrapper ownXaConnectionFactoryWrapper() {
            return xa -> {
                throw new UnsupportedOperationException("no broker in this test");
            };
        }

        @Bean
        dev.pledge.tm.PledgeMeterBinder ownMeterBinder(TransactionService service) {
            return new dev.pledge.tm.PledgeMeterBinder(service);
        }

        @Bean
        org.springframework.boot.health.contributor.HealthIndicator pledgeHealthIndicator() {
            return health;
        }
    }

    @Test
    void managementHealthPledgeEnabledFalseTurnsTheHealthIndicatorOff() {
        runner().withPropertyValues("management.health.pledge.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(PledgeHealthIndicator.class).doesNotHaveBean("pledgeHealthIndicator");
            assertThat(context).hasSingleBean(TransactionService.class);
        });
    }
}
