package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.LogDatabases;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spans of transactions and recovery passes, read back from the OpenTelemetry SDK's in-memory exporter. */
class TracingTest {
    private static final AttributeKey<String> GTRID = AttributeKey.stringKey("pledge.gtrid");
    private static final AttributeKey<String> NODE = AttributeKey.stringKey("pledge.node");
    private static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("pledge.resource");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pledge.outcome");
    private static final AttributeKey<Long> XA_CODE = AttributeKey.longKey("pledge.xa_code");
    private static final AttributeKey<Long> LOG_BYTES = AttributeKey.longKey("pledge.log.bytes");
    private static final AttributeKey<Long> LOG_GROUP_SIZE = AttributeKey.longKey("pledge.log.group_size");
    private static final AttributeKey<Long> LOG_FORCE_US = AttributeKey.longKey("pledge.log.force_us");

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    private final CallLog log = new CallLog();

    @AfterEach
    void close() {
        otel.close();
    }

    private TransactionService service(String node, ScriptedXAResource... recoveryResources) {
        TransactionService.Builder b = TransactionService.builder().nodeName(node).logDirectory(Path.of("unused"))
                .journal(c -> new RecordingJournal(log)).recoveryInterval(Duration.ZERO).openTelemetry(otel);
        for (ScriptedXAResource r : recoveryResources) {
            b.recoveryResource(r.name, () -> r);
        }
        return b.build();
    }

    private List<SpanData> spans(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
    }

    private SpanData only(String name) {
        List<SpanData> list = spans(name);
        assertEquals(1, list.size(), name + " in " + exporter.getFinishedSpanItems());
        return list.get(0);
    }

    private static void assertChildOf(SpanData parent, List<SpanData> children) {
        for (SpanData c : children) {
            assertEquals(parent.getSpanId(), c.getParentSpanId(), c.getName());
            assertEquals(parent.getTraceId(), c.getTraceId(), c.getName());
        }
    }

    @Test
    void aCommittedTwoBranchTransactionIsASpanUnderTheCallersWithItsPhasesAndTheDecisionsLogWrite() throws Exception {
        try (TransactionService svc = service("trace-commit")) {
            exporter.reset(); // the pass of build()
            TransactionManager tm = svc.transactionManager();
            Span request = otel.getTracer("test").spanBuilder("http request").startSpan();
            String gtrid;
            try (Scope ignored = request.makeCurrent()) {
                tm.begin();
                tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
                tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
                tm.getTransaction().registerSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                    }
                });
                gtrid = tm.getTransaction().toString();
                tm.commit();
            } finally {
                request.end();
            }
            SpanData tx = only("pledge.transaction");
            assertEquals(request.getSpanContext().getSpanId(), tx.getParentSpanId(), "child of the span current at begin");
            assertEquals("committed", tx.getAttributes().get(OUTCOME));
            assertEquals("trace-commit", tx.getAttributes().get(NODE));
            assertTrue(gtrid.contains(tx.getAttributes().get(GTRID)), gtrid + " / " + tx.getAttributes().get(GTRID));
            assertEquals(StatusCode.UNSET, tx.getStatus().getStatusCode());

            List<SpanData> prepares = spans("pledge.prepare");
            List<SpanData> commits = spans("pledge.commit");
            assertEquals(List.of("db-a", "db-b"), prepares.stream().map(s -> s.getAttributes().get(RESOURCE)).sorted().toList());
            assertEquals(List.of("db-a", "db-b"), commits.stream().map(s -> s.getAttributes().get(RESOURCE)).sorted().toList());
            prepares.forEach(s -> assertEquals("prepared", s.getAttributes().get(OUTCOME)));
            commits.forEach(s -> assertEquals("committed", s.getAttributes().get(OUTCOME)));
            SpanData logWrite = only("pledge.log.write");
            assertEquals(2L, logWrite.getAttributes().get(AttributeKey.longKey("pledge.log.branches")));
            assertEquals("written", logWrite.getAttributes().get(OUTCOME));
            SpanData before = only("pledge.before_completion");
            assertChildOf(tx, List.of(before, logWrite));
            assertChildOf(tx, prepares);
            assertChildOf(tx, commits);
            assertTrue(logWrite.getStartEpochNanos() >= prepares.stream().mapToLong(SpanData::getEndEpochNanos).max().orElseThrow(),
                    "the decision is written after every vote");
            assertTrue(logWrite.getEndEpochNanos() <= commits.stream().mapToLong(SpanData::getStartEpochNanos).min().orElseThrow(),
                    "and forced before the first commit");
        }
    }

    @Test
    void aLoneBranchIsCommittedInOnePhaseUnderItsOwnSpanAndNothingIsLogged() throws Exception {
        try (TransactionService svc = service("trace-1pc")) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db", log));
            tm.commit();
            ScriptedXAResource refusing = new ScriptedXAResource("refusing", log);
            refusing.commitError = XAException.XA_RBROLLBACK;
            tm.begin();
            tm.getTransaction().enlistResource(refusing);
            assertThrows(RollbackException.class, tm::commit);

            List<SpanData> transactions = spans("pledge.transaction");
            List<SpanData> onePhase = spans("pledge.commit_one_phase");
            assertEquals(2, transactions.size(), exporter.getFinishedSpanItems().toString());
            assertEquals(2, onePhase.size(), exporter.getFinishedSpanItems().toString());
            assertTrue(spans("pledge.prepare").isEmpty() && spans("pledge.log.write").isEmpty(), "one phase: no prepare, no decision");
            for (SpanData tx : transactions) {
                assertTrue(tx.getAttributes().get(GTRID).matches("trace-1pc:[0-9a-f]+"), "<node>:<hex sequence>: " + tx.getAttributes().get(GTRID));
            }
            SpanData committed = onePhase.get(0);
            assertChildOf(transactions.get(0), List.of(committed));
            assertEquals("db", committed.getAttributes().get(RESOURCE));
            assertEquals("committed", committed.getAttributes().get(OUTCOME));
            assertEquals("committed", transactions.get(0).getAttributes().get(OUTCOME));

            SpanData refused = onePhase.get(1);
            assertChildOf(transactions.get(1), List.of(refused));
            assertEquals("rolled_back", refused.getAttributes().get(OUTCOME));
            assertEquals((long) XAException.XA_RBROLLBACK, refused.getAttributes().get(XA_CODE));
            assertEquals(StatusCode.ERROR, refused.getStatus().getStatusCode(), "a branch span with an XA code");
            assertEquals("rolled_back", transactions.get(1).getAttributes().get(OUTCOME));
            assertEquals(StatusCode.UNSET, transactions.get(1).getStatus().getStatusCode(), "a plain rollback is not an error");
        }
    }

    /** Commits {@code perThread} two-branch transactions on each of {@code threads} threads, all starting at once. */
    private void commitConcurrently(TransactionManager tm, int threads, int perThread) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        tm.begin();
                        tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
                        tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
                        tm.commit();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every figure a log-write span carries is that of a write made while the span ran, so it fits inside the span. */
    private static void assertForceTimeFitsTheSpan(SpanData write) {
        long forceUs = write.getAttributes().get(LOG_FORCE_US);
        assertTrue(forceUs >= 0, write.toString());
        assertTrue(forceUs * 1_000 <= write.getEndEpochNanos() - write.getStartEpochNanos(),
                "the write that covered the decision began after its span did and ended before it: " + write);
    }

    @Test
    void theFileLogsWriteSpansCarryTheRecordsBytesTheGroupItWasForcedWithAndTheForceTime(@TempDir Path tmp) throws Exception {
        int threads = 16;
        try (TransactionService svc = TransactionService.builder().nodeName("trace-filelog").logDirectory(tmp.resolve("log"))
                .recoveryInterval(Duration.ZERO).openTelemetry(otel).build()) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            long maxGroup = 0;
            for (int round = 0; round < 20 && maxGroup < 2; round++) {
                exporter.reset();
                commitConcurrently(tm, threads, 10);
                List<SpanData> writes = spans("pledge.log.write");
                assertEquals(threads * 10, writes.size());
                long bytes = writes.get(0).getAttributes().get(LOG_BYTES);
                assertTrue(bytes > 0, writes.get(0).toString());
                for (SpanData w : writes) {
                    assertEquals("written", w.getAttributes().get(OUTCOME));
                    assertEquals(bytes, w.getAttributes().get(LOG_BYTES), "every decision has the same shape, so the same size: " + w);
                    long group = w.getAttributes().get(LOG_GROUP_SIZE);
                    assertTrue(group >= 1 && group <= threads, "a group holds this decision and at most one per other committer: " + w);
                    assertForceTimeFitsTheSpan(w);
                    maxGroup = Math.max(maxGroup, group);
                }
            }
            assertTrue(maxGroup > 1, "concurrent committers shared a force at least once: " + maxGroup);
        }
    }

    @Test
    void theDatabaseLogsWriteSpanCarriesItsBatchsSizeAndTheTimeOfItsStatementsAndCommitOnH2(@TempDir Path tmp) throws Exception {
        try (TransactionService svc = TransactionService.builder().nodeName("trace-dblog").databaseLog(LogDatabases.h2(tmp))
                .databaseLogTablePrefix("trace_span_").recoveryInterval(Duration.ZERO).openTelemetry(otel).build()) {
            exporter.reset();
            commitConcurrently(svc.transactionManager(), 8, 10);
            List<SpanData> writes = spans("pledge.log.write");
            assertEquals(80, writes.size());
            for (SpanData w : writes) {
                assertEquals("written", w.getAttributes().get(OUTCOME));
                long group = w.getAttributes().get(LOG_GROUP_SIZE);
                assertTrue(group >= 1 && group <= 8, w.toString());
                assertForceTimeFitsTheSpan(w);
                assertNull(w.getAttributes().get(LOG_BYTES), "a database log does not know the bytes of its rows: " + w);
            }
        }
    }

    @Test
    void aTransactionWithoutSynchronizationsHasNoBeforeCompletionSpan() throws Exception {
        try (TransactionService svc = service("trace-nosync")) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
            tm.commit();
            assertEquals("committed", only("pledge.transaction").getAttributes().get(OUTCOME));
            assertTrue(spans("pledge.before_completion").isEmpty(), exporter.getFinishedSpanItems().toString());
            assertEquals(2, spans("pledge.prepare").size());
            assertEquals(1, spans("pledge.log.write").size());
            assertEquals(2, spans("pledge.commit").size());
        }
    }

    @Test
    void aNoVoteEndsThePrepareSpanWithItsXaCodeAndRollsTheTransactionBack() throws Exception {
        try (TransactionService svc = service("trace-novote")) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            ScriptedXAResource no = new ScriptedXAResource("db-no", log);
            no.prepareError = XAException.XA_RBROLLBACK;
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-yes", log));
            tm.getTransaction().enlistResource(no);
            assertThrows(RollbackException.class, tm::commit);
            SpanData tx = only("pledge.transaction");
            assertEquals("rolled_back", tx.getAttributes().get(OUTCOME));
            SpanData vote = spans("pledge.prepare").stream().filter(s -> "db-no".equals(s.getAttributes().get(RESOURCE))).findFirst()
                    .orElseThrow();
            assertEquals("no", vote.getAttributes().get(OUTCOME));
            assertEquals((long) XAException.XA_RBROLLBACK, vote.getAttributes().get(XA_CODE));
            assertEquals(StatusCode.ERROR, vote.getStatus().getStatusCode());
            assertTrue(spans("pledge.log.write").isEmpty(), "no decision is logged after a no vote");
            List<SpanData> rollbacks = spans("pledge.rollback");
            assertEquals(List.of("db-yes"), rollbacks.stream().map(s -> s.getAttributes().get(RESOURCE)).toList(),
                    "the branch that voted yes is rolled back; the one that voted no is already");
            assertChildOf(tx, rollbacks);
        }
    }

    @Test
    void aTimedOutTransactionsSpanSaysSoAndHoldsItsRollbacks() throws Exception {
        try (TransactionService svc = service("trace-timeout")) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            tm.setTransactionTimeout(1);
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-slow", log));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (spans("pledge.transaction").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            tm.rollback(); // clears the thread; the timeout worker has rolled it back
            SpanData tx = only("pledge.transaction");
            assertEquals("timed_out", tx.getAttributes().get(OUTCOME));
            assertEquals(StatusCode.ERROR, tx.getStatus().getStatusCode());
            SpanData rollback = only("pledge.rollback");
            assertEquals("rolled_back", rollback.getAttributes().get(OUTCOME));
            assertChildOf(tx, List.of(rollback));
        }
    }

    @Test
    void aHeuristicOutcomeMarksTheBranchAndTheTransactionSpan() throws Exception {
        try (TransactionService svc = service("trace-heuristic")) {
            exporter.reset();
            TransactionManager tm = svc.transactionManager();
            ScriptedXAResource mixed = new ScriptedXAResource("db-mixed", log);
            mixed.commitError = XAException.XA_HEURMIX;
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-ok", log));
            tm.getTransaction().enlistResource(mixed);
            assertThrows(HeuristicMixedException.class, tm::commit);
            SpanData tx = only("pledge.transaction");
            assertEquals("heuristic", tx.getAttributes().get(OUTCOME));
            assertEquals(StatusCode.ERROR, tx.getStatus().getStatusCode());
            SpanData commit = spans("pledge.commit").stream().filter(s -> "db-mixed".equals(s.getAttributes().get(RESOURCE))).findFirst()
                    .orElseThrow();
            assertEquals("heuristic", commit.getAttributes().get(OUTCOME));
            assertEquals((long) XAException.XA_HEURMIX, commit.getAttributes().get(XA_CODE));
        }
    }

    @Test
    void aRecoveryPassIsASpanWithAChildPerResolvedBranch() {
        ScriptedXAResource db = new ScriptedXAResource("db", log);
        PledgeXid orphan = TestXids.ours("trace-recovery", 7, 1);
        db.prepared.add(orphan);
        ScriptedXAResource stuck = new ScriptedXAResource("stuck", log);
        stuck.prepared.add(TestXids.ours("trace-recovery", 8, 1));
        stuck.rollbackError = XAException.XAER_RMFAIL;
        try (TransactionService svc = service("trace-recovery", db, stuck)) {
            SpanData pass = only("pledge.recovery");
            assertEquals("pending", pass.getAttributes().get(OUTCOME));
            assertEquals("trace-recovery", pass.getAttributes().get(NODE));
            List<SpanData> branches = spans("pledge.rollback");
            assertChildOf(pass, branches);
            SpanData done = branches.stream().filter(s -> "db".equals(s.getAttributes().get(RESOURCE))).findFirst().orElseThrow();
            assertEquals("rolled_back", done.getAttributes().get(OUTCOME));
            assertEquals(TestXids.gtrid(orphan).toString(), done.getAttributes().get(GTRID));
            SpanData left = branches.stream().filter(s -> "stuck".equals(s.getAttributes().get(RESOURCE))).findFirst().orElseThrow();
            assertEquals("pending", left.getAttributes().get(OUTCOME));
            assertEquals((long) XAException.XAER_RMFAIL, left.getAttributes().get(XA_CODE));
            assertTrue(spans("pledge.transaction").isEmpty());
        }
    }

    @Test
    void aTransactionTheSamplerDropsMakesNoSpansAtAll() throws Exception {
        InMemorySpanExporter dropped = InMemorySpanExporter.create();
        try (OpenTelemetrySdk off = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOff()).addSpanProcessor(SimpleSpanProcessor.create(dropped)).build()).build();
             TransactionService svc = TransactionService.builder().nodeName("trace-unsampled").logDirectory(Path.of("unused"))
                     .journal(c -> new RecordingJournal(log)).recoveryInterval(Duration.ZERO).openTelemetry(off).build()) {
            TransactionManager tm = svc.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
            tm.commit();
            assertTrue(dropped.getFinishedSpanItems().isEmpty(), dropped.getFinishedSpanItems().toString());
            assertEquals(1, log.count("db-a.commit(false)"), log.toString());
            assertEquals(1, log.count("journal.commit"), log.toString());
            assertEquals(0, log.count("journal.stats-asked"), "an unsampled decision asks the log for no figures: " + log);
        }
    }

    @Test
    void onlyARecordingLogWriteSpanAsksTheLogForTheWritesFigures() throws Exception {
        try (TransactionService untraced = TransactionService.builder().nodeName("trace-off").logDirectory(Path.of("unused"))
                .journal(c -> new RecordingJournal(log)).recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = untraced.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
            tm.commit();
            assertEquals(1, log.count("journal.commit"), log.toString());
            assertEquals(0, log.count("journal.stats-asked"), "tracing off asks the log for no figures: " + log);
        }
        try (TransactionService traced = service("trace-on")) {
            TransactionManager tm = traced.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("db-b", log));
            tm.commit();
            assertEquals(2, log.count("journal.commit"), log.toString());
            assertEquals(1, log.count("journal.stats-asked"), log.toString());
        }
    }

    @Test
    void theCoordinatorRunsWithoutTheOpenTelemetryApiOnTheClassPath(@TempDir Path tmp) throws Exception {
        String classPath = Stream.of(TransactionService.class, NoOpenTelemetryChild.class, jakarta.transaction.Transaction.class,
                        org.slf4j.LoggerFactory.class, org.slf4j.simple.SimpleLogger.class)
                .map(TracingTest::location).distinct().collect(Collectors.joining(File.pathSeparator));
        assertFalse(classPath.contains("opentelemetry"), classPath);
        ChildJvm.Result r = ChildJvm.run(classPath, tmp.resolve("out"), 60, NoOpenTelemetryChild.class, tmp.resolve("log").toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("no OpenTelemetry"), r.output());
        assertTrue(r.output().contains("committed: 1, up: true"), r.output());
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
