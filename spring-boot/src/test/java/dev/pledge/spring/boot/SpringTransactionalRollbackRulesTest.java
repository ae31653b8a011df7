package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.tm.TransactionService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.Transactional;

/**
 * Spring's own {@code @Transactional} rules hold on Pledge's transactions: an unchecked exception
 * (or an Error) rolls back, a checked one commits, {@code rollbackFor} and {@code noRollbackFor}
 * turn that around. Read at two XA branches of each transaction: both commit, or both roll back.
 */
class SpringTransactionalRollbackRulesTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class, TransactionAutoConfiguration.class))
                .withUserConfiguration(Work.class)
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=rules", "pledge.recovery-interval=0");
    }

    @Test
    void aRuntimeExceptionOrAnErrorRollsBackAndACheckedExceptionCommits() {
        runner().run(context -> {
            Payments payments = context.getBean(Payments.class);
            assertOutcome(payments, new IllegalStateException("unchecked"), false);
            assertOutcome(payments, new AssertionError("an Error"), false);
            assertOutcome(payments, new IOException("checked"), true);
        });
    }

    @Test
    void rollbackForMakesACheckedExceptionRollBackAndNoRollbackForMakesAnUncheckedOneCommit() {
        runner().run(context -> {
            Payments payments = context.getBean(Payments.class);
            List<Branch> refused = branches();
            assertThatThrownBy(() -> payments.rollbackForIo(refused, new java.io.FileNotFoundException("a subclass"))).isInstanceOf(IOException.class);
            assertRolledBack(refused);
            List<Branch> warned = branches();
            assertThatThrownBy(() -> payments.noRollbackForIllegalArgument(warned, new NumberFormatException("a subclass")))
                    .isInstanceOf(NumberFormatException.class);
            assertCommitted(warned);
        });
    }

    private static void assertOutcome(Payments payments, Throwable failure, boolean commits) {
        List<Branch> both = branches();
        assertThatThrownBy(() -> payments.failWith(both, failure)).isSameAs(failure);
        if (commits) {
            assertCommitted(both);
        } else {
            assertRolledBack(both);
        }
    }

    private static List<Branch> branches() {
        return List.of(new Branch(), new Branch());
    }

    private static void assertCommitted(List<Branch> both) {
        assertThat(both).allSatisfy(b -> assertThat(b.calls).containsExactly("prepare", "commit"));
    }

    private static void assertRolledBack(List<Branch> both) {
        assertThat(both).allSatisfy(b -> assertThat(b.calls).containsExactly("rollback"));
    }

    @Configuration(proxyBeanMethods = false)
    static class Work {
        @Bean
        Payments payments(TransactionService service) {
            return new Payments(service);
        }
    }

    /** Enlists the branches in the Spring transaction, then throws. */
    static class Payments {
        private final TransactionService service;

        Payments(TransactionService service) {
            this.service = service;
        }

        void enlist(List<Branch> branches) {
            try {
                for (Branch b : branches) {
                    service.transactionManager().getTransaction().enlistResource(b);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Transactional
        public void failWith(List<Branch> branches, Throwable failure) throws Throwable {
            enlist(branches);
            throw failure;
        }

        @Transactional(rollbackFor = IOException.class)
        public void rollbackForIo(List<Branch> branches, IOException failure) throws IOException {
            enlist(branches);
            throw failure;
        }

        @Transactional(noRollbackFor = IllegalArgumentException.class)
        public void noRollbackForIllegalArgument(List<Branch> branches, RuntimeException failure) {
            enlist(branches);
            throw failure;
        }
    }
}
