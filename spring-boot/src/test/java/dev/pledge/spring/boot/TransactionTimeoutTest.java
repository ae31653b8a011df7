package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code pledge.default-timeout} is the timeout of every transaction that sets none (60 s unless
 * set), and a Spring transaction's own timeout ({@code @Transactional(timeout = ...)}) applies to
 * that transaction only. Read where a resource manager sees it: the timeout Pledge hands each XA
 * branch when it starts.
 */
class TransactionTimeoutTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=timeouts", "pledge.recovery-interval=0");
    }

    @Test
    void withoutPledgeDefaultTimeoutATransactionHasSixtySeconds() {
        runner().run(context -> assertThat(branchTimeout(context, new TransactionTemplate(context.getBean(PlatformTransactionManager.class))))
                .isBetween(59, 60));
    }

    @Test
    void pledgeDefaultTimeoutIsTheTimeoutOfATransactionThatSetsNone() {
        runner().withPropertyValues("pledge.default-timeout=7s").run(context ->
                assertThat(branchTimeout(context, new TransactionTemplate(context.getBean(PlatformTransactionManager.class)))).isBetween(6, 7));
    }

    @Test
    void aSpringTransactionsOwnTimeoutAppliesToItAloneAndTheNextOneHasTheDefaultAgain() {
        runner().withPropertyValues("pledge.default-timeout=7s").run(context -> {
            PlatformTransactionManager tm = context.getBean(PlatformTransactionManager.class);
            TransactionTemplate threeSeconds = new TransactionTemplate(tm);
            threeSeconds.setTimeout(3);
            assertThat(branchTimeout(context, threeSeconds)).isBetween(2, 3);
            assertThat(branchTimeout(context, new TransactionTemplate(tm))).as("the same thread's next transaction").isBetween(6, 7);
        });
    }

    /** The timeout, in seconds, that the transaction {@code tx} begins hands to an XA branch enlisted in it. */
    private static int branchTimeout(ApplicationContext context, TransactionTemplate tx) {
        TransactionService svc = context.getBean(TransactionService.class);
        Branch branch = new Branch();
        tx.executeWithoutResult(status -> {
            try {
                svc.transactionManager().getTransaction().enlistResource(branch);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(branch.timeouts).as("timeouts handed to the branch").hasSize(1);
        assertThat(branch.committed).as("the branch committed").isTrue();
        return branch.timeouts.get(0);
    }
}
