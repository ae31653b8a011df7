package dev.pledge.xa.jms;

import dev.pledge.tm.TransactionService;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.XASession;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves messages from a queue on one broker to a queue on another, never losing or duplicating
 * one: each batch is received from the source and sent to the target inside one Pledge XA
 * transaction with both brokers' sessions enlisted, so the receive and the send commit or roll
 * back together, and a crash at any point is finished by Pledge's recovery (both brokers are
 * registered with {@code svc.recovery()} under the config's resource names).
 * <p>
 * A message whose JMSXDeliveryCount exceeds {@code maxDeliveries} goes to the dead-letter queue on
 * the source broker, in the same transaction. When a broker is unreachable or a batch fails, the
 * bridge closes its connections and retries with exponential backoff, stopping itself after
 * {@code maxRetries} consecutive failures (if set). A broker that refuses a setting for good, when
 * the bridge connects (an invalid {@code selector}: {@code InvalidSelectorException}; a queue it
 * does not have and will not create: {@code InvalidDestinationException}), stops the bridge at once
 * instead: one error logged naming the bridge, the setting and its value, and
 * {@link JmsBridgeMetrics#stoppedItself()} saying so. Nothing was received then, so nothing moved.
 * {@link #start()} does not connect and so never throws for these: they show in the log and the
 * metrics. One thread per concurrent batch (one by
 * default, which keeps the source order); with {@code pipelineDepth} > 1 a thread's batches commit
 * on threads of their own while it moves the next, still in order (see
 * {@link JmsBridgeConfig#pipelineDepth()}). {@link #metrics()} is safe to call from any thread.
 */
public final class JmsBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JmsBridge.class);
    private static final String DELIVERY_COUNT = "JMSXDeliveryCount";

    private final TransactionService service;
    private final JmsBridgeConfig config;

    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Duration lastMessageAge;
    private final AtomicReference<JmsBridgeMetrics.SelfStop> selfStop = new AtomicReference<>();

    private final Object lifecycle = new Object();
    private List<Thread> threads = List.of();
    private volatile CountDownLatch stopSignal;
    private volatile boolean running;
    private final AtomicInteger workersRunning = new AtomicInteger();

    /** A bridge that moves messages once {@link #start()}ed. */
    public JmsBridge(TransactionService service, JmsBridgeConfig config) {
        this.service = Objects.requireNonNull(service, "service");
        this.config = Objects.requireNonNull(config, "config");
    }

    public JmsBridgeConfig config() {
        return config;
    }

    /**
     * Registers both brokers for recovery and starts moving messages on {@code concurrency} threads.
     * Returns without connecting: a broker that is down, or that refuses a setting, shows in the log
     * and in {@link #metrics()}, not as an exception here.
     */
    public void start() {
        synchronized (lifecycle) {
            if (threads.stream().anyMatch(Thread::isAlive)) {
                throw new IllegalStateException("bridge " + config.name() + " is already running");
            }
            service.recovery().register(config.sourceResourceName(),
                    JmsRecoveryResource.supplier(config.sourceResourceName(), config.sourceFactory()));
            service.recovery().register(config.targetResourceName(),
                    JmsRecoveryResource.supplier(config.targetResourceName(), config.targetFactory()));
            stopSignal = new CountDownLatch(1);
            selfStop.set(null);
            running = true;
            List<Thread> started = new ArrayList<>();
            for (int i = 0; i < config.concurrency(); i++) {
                Thread t = new Thread(this::run, "pledge-jms-bridge-" + config.name() + (config.concurrency() > 1 ? "-" + i : ""));
                workersRunning.incrementAndGet();
                started.add(t);
            }
            threads = List.copyOf(started);
            threads.forEach(Thread::start);
            log.info("JMS bridge started: {}", config);
        }
    }

    /**
     * Stops after the batch in progress, waiting for it (at most the transaction timeout). The
     * recovery registrations stay, so a batch left in doubt is still finished.
     */
    public void stop() {
        List<Thread> ts;
        synchronized (lifecycle) {
            ts = threads;
            if (ts.isEmpty()) {
                return;
            }
            running = false;
            stopSignal.countDown();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.transactionTimeout().toMillis() + config.maxBatchWait().toMillis());
        try {
            for (Thread t : ts) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lifecycle) {
            if (threads == ts && ts.stream().noneMatch(Thread::isAlive)) {
                threads = List.of();
            }
        }
        log.info("JMS bridge {} stopped: {}", config.name(), metrics());
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Current counters, and why the bridge stopped itself if it did. */
    public JmsBridgeMetrics metrics() {
        boolean workers = workersRunning.get() > 0;
        return new JmsBridgeMetrics(forwarded.get(), deadLettered.get(), batches.get(), failures.get(), lastMessageAge,
                workers, workers ? null : selfStop.get());
    }

    private void run() {
        Backoff backoff = new Backoff(config.retryInitialDelay(), config.retryMaxDelay());
        BridgeSessions sessions = null;
        boolean recovered = false;
        int isolate = 0;
        try {
            while (running) {
                try {
                    if (sessions == null) {
                        sessions = BridgeSessions.open(config);
                        if (!recovered) {
                            // finish what an earlier run, or the failure that closed the last sessions, left in
                            // doubt before taking new work
                            service.recovery().runPass();
                            recovered = true;
                        }
                    }
                    int size = isolate > 0 ? 1 : config.batchSize();
                    sessions.received = 0;
                    int moved = moveBatch(sessions, size);
                    if (moved > 0 && isolate > 0) {
                        isolate--;
                    }
                    CommitPipeline p = sessions.pipeline;
                    if (p == null || p.committedSinceAsked() || (moved == 0 && p.idle())) {
                        backoff.succeeded();
                    }
                } catch (RefusedSetting e) {
                    failures.incrementAndGet(); // nothing was received: the sessions did not open
                    if (!recovered) {
                        // no retry will run the pass that finishes what an earlier failure left in doubt: run it now
                        recoverQuietly();
                    }
                    stopForConfigurationError(e);
                    break;
                } catch (Exception e) {
                    failures.incrementAndGet();
                    // the failed batch's messages come back one per transaction, so that one bad message
                    // reaches the dead-letter queue alone instead of taking its batch with it
                    if (sessions != null) {
                        isolate = Math.max(isolate, sessions.received + (sessions.pipeline != null ? sessions.pipeline.failedMessages() : 0));
                    }
                    if (sessions != null) {
                        sessions.close();
                        sessions = null;
                    }
                    recovered = false;
                    if (config.maxRetries() >= 0 && backoff.failures() >= config.maxRetries()) {
                        String message = "JMS bridge " + config.name() + " (" + Thread.currentThread().getName() + ") gives up after "
                                + (backoff.failures() + 1) + " consecutive failures";
                        selfStop.compareAndSet(null, new JmsBridgeMetrics.SelfStop(JmsBridgeMetrics.SelfStopReason.MAX_RETRIES, message));
                        log.error(message, e);
                        break;
                    }
                    long delay = backoff.failed();
                    log.warn("JMS bridge {}: batch failed ({}); retry {} in {} ms", config.name(), describe(e), backoff.failures(), delay);
                    if (stopSignal.await(delay, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workersRunning.decrementAndGet();
            if (sessions != null) {
                sessions.close();
            }
        }
    }

    private void recoverQuietly() {
        try {
            service.recovery().runPass();
        } catch (RuntimeException e) {
            log.warn("JMS bridge {}: recovery pass before stopping failed ({}); the service's recovery finishes what is in doubt",
                    config.name(), describe(e));
        }
    }

    /**
     * Stops every thread of the bridge (each after its batch in progress) and logs the error once,
     * however many threads meet it.
     */
    private void stopForConfigurationError(RefusedSetting e) {
        String message = "JMS bridge " + config.name() + " stops: " + e.getMessage()
                + "; a configuration error, which no retry can cure: fix the setting (or the broker's destinations) and start the bridge again";
        JmsBridgeMetrics.SelfStop stop = new JmsBridgeMetrics.SelfStop(JmsBridgeMetrics.SelfStopReason.CONFIGURATION_ERROR, message);
        JmsBridgeMetrics.SelfStop before = selfStop.getAndUpdate(
                s -> s != null && s.reason() == JmsBridgeMetrics.SelfStopReason.CONFIGURATION_ERROR ? s : stop);
        if (before == null || before.reason() != JmsBridgeMetrics.SelfStopReason.CONFIGURATION_ERROR) {
            log.error(message);
        } else {
            log.debug("JMS bridge {} ({}): {}", config.name(), Thread.currentThread().getName(), e.getMessage());
        }
        running = false;
        stopSignal.countDown();
    }

    /**
     * One transaction: receive up to {@code size} messages, send each on, commit both (pipelined:
     * end both branches and hand the commit over); returns how many moved.
     */
    private int moveBatch(BridgeSessions s, int size) throws Exception {
        if (s.pipeline != null) {
            s.pipeline.rethrowFailure(); // start again from fresh connections after a failed batch
        }
        TransactionManager tm = service.transactionManager();
        tm.setTransactionTimeout((int) config.transactionTimeout().toSeconds());
        tm.begin();
        boolean finished = false;
        try {
            Transaction tx = tm.getTransaction();
            int lane = s.nextTargetLane();
            tx.enlistResource(s.source.xaResource(0));
            tx.enlistResource(s.target.xaResource(lane));
            long waitMillis = config.maxBatchWait().toMillis();
            long deadline = 0;
            int moved = 0;
            int dead = 0;
            long newestTimestamp = 0;
            Message m = s.consumer.receive(waitMillis);
            while (m != null) {
                s.received++;
                if (moved + dead == 0) {
                    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
                }
                long timestamp = m.getJMSTimestamp();
                if (deliveryCount(m) > config.maxDeliveries()) {
                    log.warn("JMS bridge {}: message {} delivered {} times; moving it to {}", config.name(), m.getJMSMessageID(),
                            deliveryCount(m), config.deadLetterQueue());
                    send(s.deadLetter, m);
                    dead++;
                } else {
                    send(s.producers.get(lane), m);
                    moved++;
                }
                newestTimestamp = Math.max(newestTimestamp, timestamp);
                if (moved + dead >= size) {
                    break;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                m = left >= 1 ? s.consumer.receive(left) : s.consumer.receiveNoWait();
            }
            if (moved + dead == 0) {
                finished = true;
                tm.rollback(); // nothing received: no need for two-phase commit
                return 0;
            }
            int forwardedNow = moved;
            int deadNow = dead;
            long newest = newestTimestamp;
            Runnable committed = () -> committed(forwardedNow, deadNow, newest);
            if (s.pipeline == null) {
                finished = true;
                tm.commit();
                committed.run();
                return moved + dead;
            }
            // the committing thread ends both branches (at once with parallel phases); the next batch's start on the
            // same sessions waits for those ends
            tm.suspend();
            finished = true;
            s.pipeline.commit(tx, moved + dead, committed);
            return moved + dead;
        } finally {
            if (!finished) {
                rollbackQuietly(tm);
            }
        }
    }

    private void committed(int moved, int dead, long newestTimestamp) {
        forwarded.addAndGet(moved);
        deadLettered.addAndGet(dead);
        batches.incrementAndGet();
        if (newestTimestamp > 0) {
            lastMessageAge = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - newestTimestamp));
        }
    }

    private static void send(MessageProducer producer, Message m) throws JMSException {
        long expiration = m.getJMSExpiration();
        long ttl = 0;
        if (expiration > 0) {
            ttl = Math.max(1, expiration - System.currentTimeMillis());
        }
        producer.send(m, m.getJMSDeliveryMode(), m.getJMSPriority(), ttl);
    }

    private static int deliveryCount(Message m) throws JMSException {
        return m.propertyExists(DELIVERY_COUNT) ? m.getIntProperty(DELIVERY_COUNT) : 1;
    }

    private void rollbackQuietly(TransactionManager tm) {
        try {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
        } catch (SystemException | RuntimeException e) {
            log.debug("JMS bridge {}: rollback after a failed batch failed: {}", config.name(), e.toString());
            try {
                tm.suspend(); // leave the thread clean for the next batch; recovery or the timeout finishes the rest
            } catch (SystemException | RuntimeException ignored) {
                // nothing more to do
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append(" <- ").append(c);
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }

    /**
     * The open sessions of one connected period: consumer on the source, producers on both, and the
     * batches still committing when pipelined.
     */
    private static final class BridgeSessions implements AutoCloseable {
        final BridgeEndpoint source;
        final BridgeEndpoint target;
        final MessageConsumer consumer;
        /** One per working session of the target. */
        final List<MessageProducer> producers;
        final MessageProducer deadLetter;
        /** Null unless pipelineDepth > 1. */
        final CommitPipeline pipeline;
        /** Messages received by the batch in progress. */
        int received;
        private int batchesStarted;

        private BridgeSessions(BridgeEndpoint source, BridgeEndpoint target, JmsBridgeConfig c) throws JMSException {
            this.source = source;
            this.target = target;
            XASession s0 = source.session(0);
            Queue in = queue(s0, c.sourceResourceName(), "sourceQueue", c.sourceQueue());
            this.consumer = refusable(c, c.sourceResourceName(), "sourceQueue", c.sourceQueue(), () -> s0.createConsumer(in, c.selector()));
            List<MessageProducer> ps = new ArrayList<>();
            for (int i = 0; i < target.workingSessions(); i++) {
                XASession t = target.session(i);
                Queue out = queue(t, c.targetResourceName(), "targetQueue", c.targetQueue());
                ps.add(refusable(c, c.targetResourceName(), "targetQueue", c.targetQueue(), () -> t.createProducer(out)));
            }
            this.producers = List.copyOf(ps);
            Queue dlq = queue(s0, c.sourceResourceName(), "deadLetterQueue", c.deadLetterQueue());
            this.deadLetter = refusable(c, c.sourceResourceName(), "deadLetterQueue", c.deadLetterQueue(), () -> s0.createProducer(dlq));
            this.pipeline = c.pipelineDepth() > 1
                    ? new CommitPipeline(Thread.currentThread().getName(), c.pipelineDepth(), 2 * c.transactionTimeout().toMillis())
                    : null;
        }

        /**
         * The queue {@code name} of a session, {@link RefusedSetting} (naming {@code key}) when the broker
         * answers that it has no such queue and will not create one: {@code InvalidDestinationException},
         * or, from Artemis (auto-create off), a plain {@code JMSException} of its own ("There is no queue
         * with name …") without cause. A failed round trip to the broker carries the transport's
         * exception as its cause and is retried as usual.
         */
        private static Queue queue(XASession session, String resourceName, String key, String name) throws JMSException {
            try {
                return session.createQueue(name);
            } catch (InvalidDestinationException e) {
                throw new RefusedSetting(resourceName, key, name, e);
            } catch (JMSException e) {
                if (e.getClass() == JMSException.class && e.getCause() == null && e.getLinkedException() == null) {
                    throw new RefusedSetting(resourceName, key, name, e);
                }
                throw e;
            }
        }

        /**
         * Creates a consumer or producer, turning the broker's permanent refusals into
         * {@link RefusedSetting}: an invalid selector names {@code selector}, a destination the broker
         * does not have (and will not create) names {@code destinationKey}.
         */
        private static <T> T refusable(JmsBridgeConfig c, String resourceName, String destinationKey, String destination, JmsCall<T> create)
                throws JMSException {
            try {
                return create.call();
            } catch (InvalidSelectorException e) {
                throw new RefusedSetting(resourceName, "selector", c.selector(), e);
            } catch (InvalidDestinationException e) {
                throw new RefusedSetting(resourceName, destinationKey, destination, e);
            }
        }

        /** The target's working session for the next batch: with two, batches take turns. */
        int nextTargetLane() {
            return batchesStarted++ % target.workingSessions();
        }

        static BridgeSessions open(JmsBridgeConfig c) throws JMSException {
            int control = c.pipelineDepth() - 1;
            boolean pipelined = control > 0;
            long wait = c.transactionTimeout().toMillis();
            // one working session on the source, whose single consumer keeps the order
            BridgeEndpoint source = BridgeEndpoint.open(c.sourceResourceName(), c.sourceFactory(), 1, control, false, wait);
            BridgeEndpoint target = null;
            try {
                // pipelined, the target's commits keep the order in which the batches were moved, so its two working
                // sessions can take turns
                target = BridgeEndpoint.open(c.targetResourceName(), c.targetFactory(), pipelined ? 2 : 1, control, pipelined, wait);
                return new BridgeSessions(source, target, c);
            } catch (JMSException | RuntimeException e) {
                source.close();
                if (target != null) {
                    target.close();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            if (pipeline != null) {
                pipeline.close();
            }
            source.close();
            target.close();
        }
    }

    /** A JMS call that creates something. */
    @FunctionalInterface
    private interface JmsCall<T> {
        T call() throws JMSException;
    }

    /**
     * A broker's permanent refusal of one of the bridge's settings, naming the setting (its
     * {@link JmsBridgeConfig} accessor), its value and the broker.
     */
    private static final class RefusedSetting extends JMSException {
        private static final long serialVersionUID = 1L;

        RefusedSetting(String resourceName, String key, String value, JMSException refusal) {
            super(key + " '" + value + "' is refused by the broker " + resourceName + " (" + describe(refusal) + ")");
            setLinkedException(refusal);
            initCause(refusal);
        }
    }
}
