package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionManager;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With an {@code OpenTelemetry} bean in the application (as MicroProfile Telemetry provides), the Pledge
 * CDI extension traces every transaction through it: a {@code @Transactional} method called inside a
 * request's span is a transaction span under it, with its branch's commit or rollback.
 */
@ExtendWith(ArquillianExtension.class)
class CdiTracingTest {
    private static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("pledge.resource");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pledge.outcome");

    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class).addClasses(TracingBeans.class, TracingBeans.Orders.class, LedgerTable.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    TracingBeans tracing;
    @Inject
    TracingBeans.Orders orders;
    @Inject
    OpenTelemetry openTelemetry;
    @Inject
    LedgerTable table;
    @Inject
    TransactionManager tm;

    @RegisterExtension
    final NoTransactionLeft noTransactionLeft = new NoTransactionLeft(() -> tm);

    /** Runs {@code work} in a request's span; the spans of its trace but the request's. */
    private List<SpanData> traced(Work work) throws Exception {
        tracing.exporter().reset();
        Span request = openTelemetry.getTracer("test").spanBuilder("GET /orders").startSpan();
        try (Scope ignored = request.makeCurrent()) {
            work.run();
        } finally {
            request.end();
        }
        List<SpanData> spans = tracing.exporter().getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(request.getSpanContext().getTraceId()) && !s.getName().equals("GET /orders")).toList();
        SpanData tx = spans.stream().filter(s -> s.getName().equals("pledge.transaction")).findFirst()
                .orElseThrow(() -> new AssertionError("no transaction span under the request's, only " + spans));
        assertEquals(request.getSpanContext().getSpanId(), tx.getParentSpanId(), "the transaction's span is a child of the request's");
        spans.stream().filter(s -> s != tx).forEach(s -> assertEquals(tx.getSpanId(), s.getParentSpanId(), s.getName()));
        return spans;
    }

    interface Work {
        void run() throws Exception;
    }

    @Test
    void aTransactionalMethodIsATransactionSpanUnderTheRequestsWithItsBranchsCommit() throws Exception {
        String label = "traced-" + UUID.randomUUID();
        List<SpanData> spans = traced(() -> orders.place(label));
        // before-completion: the CDI integration registers a synchronization with every transaction it begins
        assertEquals(List.of("pledge.before_completion", "pledge.commit_one_phase", "pledge.transaction"),
                spans.stream().map(SpanData::getName).sorted().toList());
        SpanData commit = spans.stream().filter(s -> s.getName().equals("pledge.commit_one_phase")).findFirst().orElseThrow();
        assertEquals("jee-h2", commit.getAttributes().get(RESOURCE));
        assertEquals("committed", spans.stream().filter(s -> s.getName().equals("pledge.transaction")).findFirst().orElseThrow()
                .getAttributes().get(OUTCOME));
        assertTrue(table.committed(label));
    }

    @Test
    void aTransactionalMethodThatThrowsIsARolledBackTransactionSpanWithItsBranchsRollback() throws Exception {
        String label = "refused-" + UUID.randomUUID();
        List<SpanData> spans = traced(() -> assertThrows(IllegalStateException.class, () -> orders.placeThenFail(label)));
        assertEquals(List.of("pledge.rollback", "pledge.transaction"), spans.stream().map(SpanData::getName).sorted().toList());
        assertEquals("rolled_back", spans.stream().filter(s -> s.getName().equals("pledge.transaction")).findFirst().orElseThrow()
                .getAttributes().get(OUTCOME));
        assertFalse(table.committed(label));
    }
}
