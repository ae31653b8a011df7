package dev.pledge.bench;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.trace.Step;
import dev.pledge.tm.trace.Trace;
import dev.pledge.tm.trace.TransactionTracer;
import dev.pledge.tm.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CPU that tracing alone costs per transaction, without a coordinator: {@code sdk} makes a root span
 * and {@code SPANS - 1} children with no attributes (what OpenTelemetry's SDK costs whoever calls it, the
 * floor), {@code pledge} makes the calls the coordinator makes for a committed two-phase transaction
 * over two branches without synchronizations (6 spans with their attributes; SPANS is then ignored), both through the same SDK
 * set-up as {@code pledge-traced} (always-on sampler, batch processor, an exporter that drops).
 * After WARMUP seconds whose figures are discarded (the JIT compiles meanwhile), prints the process's CPU time
 * per transaction for each of ROUNDS rounds of SECONDS, then the median.
 * SAMPLED (default 1) is the ratio of transactions the sampler records, as in {@code pledge-traced-10pct}.
 * <pre>TracingFloor sdk|pledge SPANS THREADS WARMUP SECONDS ROUNDS [SAMPLED]</pre>
 */
public final class TracingFloor {
    private static final byte[] NODE = "bench-floor".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private TracingFloor() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int spans = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        double warmup = Double.parseDouble(args[3]);
        double seconds = Double.parseDouble(args[4]);
        int rounds = Integer.parseInt(args[5]);
        double sampled = args.length > 6 ? Double.parseDouble(args[6]) : 1.0;
        if (!mode.equals("sdk") && !mode.equals("pledge")) {
            throw new IllegalArgumentException("mode must be sdk or pledge, not '" + mode + "'");
        }
        try (OpenTelemetrySdk otel = PledgeContender.droppingSdk(sampled)) {
            Tracer tracer = otel.getTracer("dev.pledge.bench");
            TransactionTracer pledge = Tracing.openTelemetry(otel, "bench-floor");
            List<Double> perTx = new ArrayList<>();
            for (int round = -1; round < rounds; round++) {
                LongAdder done = new LongAdder();
                long end = System.nanoTime() + (long) ((round < 0 ? warmup : seconds) * 1e9);
                long cpu0 = MachineCpu.processNanos();
                long wall0 = System.nanoTime();
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Thread w = new Thread(() -> {
                        long n = 0;
                        while (System.nanoTime() < end) {
                            for (int k = 0; k < 100; k++, n++) {
                                if (mode.equals("sdk")) {
                                    bare(tracer, spans);
                                } else {
                                    pledge(pledge, thread, n);
                                }
                            }
                        }
                        done.add(n);
                    });
                    workers.add(w);
                    w.start();
                }
                for (Thread w : workers) {
                    w.join();
                }
                double cpuNanos = (MachineCpu.processNanos() - cpu0) / (double) done.sum();
                if (round < 0) {
                    continue;
                }
                perTx.add(cpuNanos);
                System.out.printf(Locale.ROOT, "ROUND %d %s spans=%d threads=%d sampled=%s: %.0f ns CPU per transaction, %.0f transactions/s%n", round + 1,
                        mode, mode.equals("sdk") ? spans : 7, threads, sampled, cpuNanos, done.sum() / ((System.nanoTime() - wall0) / 1e9));
            }
            perTx.sort(null);
            System.out.printf(Locale.ROOT, "RESULT %s medianCpuNanosPerTx=%.0f%n", mode, perTx.get(perTx.size() / 2));
        }
        System.exit(0);
    }

    private static void bare(Tracer tracer, int spans) {
        Context parent = Context.current();
        Span root = tracer.spanBuilder("pledge.transaction").setParent(parent).startSpan();
        Context context = parent.with(root);
        for (int i = 1; i < spans; i++) {
            tracer.spanBuilder("pledge.prepare").setParent(context).startSpan().end();
        }
        root.end();
    }

    private static void pledge(TransactionTracer tracer, int thread, long n) {
        byte[] id = java.util.Arrays.copyOf(NODE, NODE.length + Gtrid.SUFFIX_LENGTH); // as the coordinator's: node ':' 16 bytes
        id[NODE.length] = ':';
        id[NODE.length + 1] = (byte) thread;
        for (int i = 0; i < 8; i++) {
            id[id.length - 1 - i] = (byte) (n >>> (8 * i));
        }
        Trace trace = tracer.transaction(new Gtrid(id));
        trace.branch(Trace.PREPARE, "noop-a", null).end("prepared", Step.NO_CODE);
        trace.branch(Trace.PREPARE, "noop-b", null).end("prepared", Step.NO_CODE);
        trace.logWrite(2).end("written", Step.NO_CODE);
        trace.branch(Trace.COMMIT, "noop-a", null).end("committed", Step.NO_CODE);
        trace.branch(Trace.COMMIT, "noop-b", null).end("committed", Step.NO_CODE);
        trace.end("committed", false);
    }
}
