package dev.pledge.itests.jee;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.transaction.Transactional;

/** The application's OpenTelemetry (an SDK exporting into memory), as MicroProfile Telemetry would provide one, and work to trace. */
@ApplicationScoped
public class TracingBeans {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();

    @Produces
    @ApplicationScoped
    OpenTelemetry openTelemetry() {
        return sdk;
    }

    /** What the SDK exported (a method: the injected reference is a client proxy, whose fields are not the bean's). */
    public InMemorySpanExporter exporter() {
        return exporter;
    }

    @PreDestroy
    void close() {
        sdk.close();
    }

    /** Writes a row in a transaction of its own. */
    @ApplicationScoped
    public static class Orders {
        @jakarta.inject.Inject
        LedgerTable table;

        @Transactional(Transactional.TxType.REQUIRES_NEW)
        public void place(String label) throws java.sql.SQLException {
            table.insert(label);
        }

        @Transactional(Transactional.TxType.REQUIRES_NEW)
        public void placeThenFail(String label) throws java.sql.SQLException {
            table.insert(label);
            throw new IllegalStateException("refused " + label);
        }
    }
}
