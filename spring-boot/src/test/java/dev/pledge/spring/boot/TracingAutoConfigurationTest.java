package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.tm.TransactionService;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The application's {@code OpenTelemetry} bean traces the starter's transactions (unless
 * {@code pledge.tracing.enabled=false}), and {@link TransactionServiceCustomizer} beans change the builder after the properties.
 */
class TracingAutoConfigurationTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=traced-boot", "pledge.recovery-interval=0");
    }

    @Configuration(proxyBeanMethods = false)
    static class WithOpenTelemetry {
        @Bean
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }

        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry(InMemorySpanExporter exporter) {
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        }
    }

    /** A committed two-branch transaction of the context's service, and the names of the spans exported meanwhile. */
    private static List<String> spansOfATwoPhaseCommit(TransactionService svc, InMemorySpanExporter exporter) throws Exception {
        exporter.reset();
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        tm.getTransaction().enlistResource(new Branch());
        tm.getTransaction().enlistResource(new Branch());
        tm.commit();
        return exporter.getFinishedSpanItems().stream().map(SpanData::getName).sorted().toList();
    }

    @Test
    void theApplicationsOpenTelemetryBeanTracesEveryTransaction() {
        runner().withUserConfiguration(WithOpenTelemetry.class).run(context -> {
            List<String> spans = spansOfATwoPhaseCommit(context.getBean(TransactionService.class), context.getBean(InMemorySpanExporter.class));
            assertThat(spans).containsExactly("pledge.commit", "pledge.commit", "pledge.log.write", "pledge.prepare", "pledge.prepare",
                    "pledge.transaction");
        });
    }

    @Test
    void tracingEnabledFalseLeavesTheOpenTelemetryBeanUnused() {
        runner().withUserConfiguration(WithOpenTelemetry.class).withPropertyValues("pledge.tracing.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean("pledgeOpenTelemetryCustomizer");
            assertThat(spansOfATwoPhaseCommit(context.getBean(TransactionService.class), context.getBean(InMemorySpanExporter.class))).isEmpty();
        });
    }

    @Test
    void withoutAnOpenTelemetryBeanTheServiceRunsUntraced() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(OpenTelemetry.class);
            TransactionService svc = context.getBean(TransactionService.class);
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(new Branch());
            svc.transactionManager().getTransaction().enlistResource(new Branch());
            svc.transactionManager().commit();
            assertThat(svc.metrics().getCommitted()).isEqualTo(1);
        });
    }

    @Test
    void withoutTheOpenTelemetryApiOnTheClassPathTheStarterStillStarts() {
        runner().withClassLoader(new FilteredClassLoader("io.opentelemetry")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TransactionService.class).doesNotHaveBean("pledgeOpenTelemetryCustomizer");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        static final List<String> applied = new CopyOnWriteArrayList<>();

        @Bean
        @Order(2)
        TransactionServiceCustomizer second() {
            return b -> applied.add("second");
        }

        @Bean
        @Order(1)
        TransactionServiceCustomizer shortTimeout() {
            return b -> {
                applied.add("first");
                b.defaultTimeout(Duration.ofSeconds(1)); // after pledge.default-timeout=60s: this one wins
            };
        }
    }

    @Test
    void customizersChangeTheBuilderAfterThePropertiesInTheirOrder() {
        Customizers.applied.clear();
        runner().withUserConfiguration(Customizers.class).withPropertyValues("pledge.default-timeout=60s").run(context -> {
            assertThat(Customizers.applied).containsExactly("first", "second");
            TransactionManager tm = context.getBean(TransactionService.class).transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new Branch());
            Thread.sleep(1_500);
            assertThatThrownBy(tm::commit).as("the customizer's 1 s timeout, not the property's 60 s").isInstanceOf(RollbackException.class);
        });
    }
}
