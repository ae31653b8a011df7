package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;

/**
 * Pledge with its durable journal (fsync on); traced: with OpenTelemetry's SDK sampling a ratio of the
 * transactions (1: every one; parent-based, batch processor) into an exporter that drops them, so the
 * cost measured is Pledge's tracing and the SDK's, not an exporter's network.
 */
final class PledgeContender implements Contender {
    /** Ratio of transactions traced; 0: no OpenTelemetry at all. */
    private final double sampled;
    private TransactionService svc;
    private OpenTelemetrySdk otel;

    PledgeContender(double sampled) {
        this.sampled = sampled;
    }

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) {
        TransactionService.Builder builder = TransactionService.builder().nodeName(sampled > 0 ? "bench-pledge-traced" : "bench-pledge").logDirectory(dir.resolve("pledge-log"))
                .defaultTimeout(Duration.ofSeconds(60)).recoveryInterval(Duration.ZERO)
                // the node claim under the run's own directory: another bench on this host (another checkout) may be running
                // its bench-pledge at the same time, each with logs of its own, so the host-wide claim would refuse one of them
                .nodeLockDirectory(dir.resolve("node-locks"));
        if (sampled > 0) {
            otel = droppingSdk(sampled);
            builder.openTelemetry(otel);
        }
        svc = builder.build();
        return svc.transactionManager();
    }

    /** The SDK of the traced contenders: parent-based, sampling {@code sampled} of the roots, batch processor, spans dropped. */
    static OpenTelemetrySdk droppingSdk(double sampled) {
        return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(Sampler.parentBased(sampled >= 1 ? Sampler.alwaysOn() : Sampler.traceIdRatioBased(sampled)))
                .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build()).build();
    }

    @Override
    public long forces() {
        return svc.metrics().getLogForces();
    }

    @Override
    public void close() {
        if (svc != null) {
            svc.close();
        }
        if (otel != null) {
            otel.close();
        }
    }

    /** Exports nothing, at once. */
    private static final class DroppingExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
