package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.spring.boot.sample.SampleBankApplication;
import dev.pledge.spring.boot.sample.TransferService;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * End to end: the sample Boot application (MariaDB and PostgreSQL through JPA, Artemis through
 * JmsTemplate) with an OpenTelemetry SDK bean and nothing else: a {@code @Transactional} transfer
 * called inside a request's span is one transaction span under it, with each resource's prepare
 * and commit (or rollback) and the decision's log write as its children.
 */
@SpringBootTest(classes = {SampleBankApplication.class, TracingAutoConfigurationTest.WithOpenTelemetry.class}, properties = {
        "pledge.node-name=boot-traced",
        "pledge.recovery-interval=0",
        "pledge.datasources.mariadb.url=" + Servers.MARIADB_URL,
        "pledge.datasources.mariadb.username=root",
        "pledge.datasources.mariadb.password=",
        "pledge.datasources.mariadb.primary=true",
        "pledge.datasources.mariadb.max-pool-size=4",
        "pledge.datasources.postgres.url=" + Servers.POSTGRES_URL,
        "pledge.datasources.postgres.username=postgres",
        "pledge.datasources.postgres.max-pool-size=4",
        "spring.artemis.mode=native",
        "spring.jpa.hibernate.ddl-auto=none",
        "spring.jpa.open-in-view=false"})
class SampleApplicationTracingTest {
    private static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("pledge.resource");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pledge.outcome");
    /** Not stopped by the test: it has to outlive the cached application, which the JVM's exit closes. */
    static Broker broker;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) throws Exception {
        Servers.createDatabases();
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres()) {
            Servers.resetAccounts(m, SampleApplicationTransactionsTest.ACCOUNTS, 4, 1000);
            Servers.resetAccounts(p, SampleApplicationTransactionsTest.ACCOUNTS, 4, 1000);
        }
        Path dir = Files.createTempDirectory("pledge-boot-traced");
        broker = Broker.start(dir.resolve("broker"));
        registry.add("spring.artemis.broker-url", broker::url);
        registry.add("pledge.log.directory", () -> dir.resolve("log").toString());
    }

    @Autowired
    TransferService transfers;
    @Autowired
    OpenTelemetrySdk openTelemetry;
    @Autowired
    InMemorySpanExporter exporter;

    @BeforeEach
    void resetBalances() throws Exception {
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres()) {
            Servers.resetAccounts(m, SampleApplicationTransactionsTest.ACCOUNTS, 4, 1000);
            Servers.resetAccounts(p, SampleApplicationTransactionsTest.ACCOUNTS, 4, 1000);
        }
        broker.drain(TransferService.QUEUE, 100);
        exporter.reset();
    }

    /** Runs {@code call} inside a request span and returns the spans of that span's trace, the request's excluded. */
    private List<SpanData> traceOf(String request, ThrowingRunnable call) throws Exception {
        Span parent = openTelemetry.getTracer("test").spanBuilder(request).startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            call.run();
        } finally {
            parent.end();
        }
        String traceId = parent.getSpanContext().getTraceId();
        List<SpanData> spans = exporter.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId))
                .filter(s -> !s.getName().equals(request)).toList();
        SpanData tx = only(spans, "pledge.transaction");
        assertThat(tx.getParentSpanId()).as("the transaction's span is a child of the span current at begin")
                .isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(spans).filteredOn(s -> s != tx).allSatisfy(s -> assertThat(s.getParentSpanId()).as(s.getName()).isEqualTo(tx.getSpanId()));
        return spans;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as(name + " in " + spans.stream().map(SpanData::getName).toList()).hasSize(1);
        return named.get(0);
    }

    private static List<String> resourcesOf(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).map(s -> s.getAttributes().get(RESOURCE)).sorted().toList();
    }

    @Test
    void aTransferIsOneTransactionSpanUnderTheRequestWithEachResourcesPrepareAndCommitAndTheLogWrite() throws Exception {
        List<SpanData> spans = traceOf("POST /transfers", () -> transfers.transfer("traced-1", 1, 1, 10));
        assertThat(only(spans, "pledge.transaction").getAttributes().get(OUTCOME)).isEqualTo("committed");
        List<String> resources = List.of("jmsConnectionFactory", "mariadb", "postgres");
        assertThat(resourcesOf(spans, "pledge.prepare")).isEqualTo(resources);
        assertThat(resourcesOf(spans, "pledge.commit")).isEqualTo(resources);
        assertThat(only(spans, "pledge.log.write").getAttributes().get(OUTCOME)).isEqualTo("written");
        assertThat(broker.drain(TransferService.QUEUE, 1000)).containsExactly("traced-1");
    }

    @Test
    void aTransferThatThrowsIsARolledBackTransactionSpanWithEachResourcesRollback() throws Exception {
        List<SpanData> spans = traceOf("POST /transfers", () -> assertThatThrownBy(() -> transfers.transferThenFail("traced-2", 1, 1, 10))
                .isInstanceOf(IllegalStateException.class));
        assertThat(only(spans, "pledge.transaction").getAttributes().get(OUTCOME)).isEqualTo("rolled_back");
        assertThat(resourcesOf(spans, "pledge.rollback")).isEqualTo(List.of("jmsConnectionFactory", "mariadb", "postgres"));
        assertThat(spans).extracting(SpanData::getName).doesNotContain("pledge.prepare", "pledge.commit", "pledge.log.write");
        assertThat(broker.drain(TransferService.QUEUE, 500)).isEmpty();
    }
}
