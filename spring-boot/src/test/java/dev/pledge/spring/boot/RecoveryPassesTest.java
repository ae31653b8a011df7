package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** In a real SpringApplication, the starter runs a recovery pass once the application is ready and then one every pledge.recovery-interval. */
class RecoveryPassesTest {
    @TempDir
    Path dir;

    @Test
    void aPassRunsWhenTheApplicationIsReadyAndThenEveryRecoveryInterval() {
        SpringApplication app = new SpringApplication(Minimal.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run("--pledge.log.directory=" + dir.resolve("log"), "--pledge.node-name=passes",
                "--pledge.recovery-interval=200ms")) {
            RecoveryPasses passes = context.getBean(RecoveryPasses.class);
            RecoveryPasses.Pass first = passes.last();
            assertThat(first).as("the pass at start-up").isNotNull();
            assertThat(first.report().isClean()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> passes.last().at().isAfter(first.at()));
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("pledge-recovery-passes");
            assertThat(context.getBean(TransactionService.class).nodeName()).isEqualTo("passes");
        }
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("pledge-recovery-passes");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(PledgeAutoConfiguration.class)
    static class Minimal {
    }
}
