package dev.pledge.xa.jms;

import jakarta.transaction.Transaction;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches of one bridge thread that commit while the thread moves the next one (a bridge with
 * {@code pipelineDepth} > 1): at most {@code depth - 1} commits run at once, each on a thread of
 * the pipeline's own. The first failed commit is kept; the bridge thread sees it before its next
 * batch and starts again from fresh connections. Used by the bridge thread only, except for the
 * counters the committing threads update.
 */
final class CommitPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommitPipeline.class);

    private final int committing;
    private final long drainMillis;
    private final ExecutorService committers;
    private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger failedMessages = new AtomicInteger();
    private final AtomicBoolean committedSinceAsked = new AtomicBoolean();

    CommitPipeline(String threadName, int depth, long drainMillis) {
        this.committing = depth - 1;
        this.drainMillis = drainMillis;
        AtomicInteger n = new AtomicInteger();
        this.committers = Executors.newFixedThreadPool(committing, r -> {
            Thread t = new Thread(r, threadName + "-commit-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Commits {@code tx} (suspended, its branches ended) once fewer than {@code depth - 1} batches
     * are committing; runs {@code onCommitted} after it committed. If it cannot be handed over, it
     * is rolled back here and the exception thrown.
     */
    void commit(Transaction tx, int messages, Runnable onCommitted) throws InterruptedException {
        try {
            while (inFlight.size() >= committing) {
                await(inFlight.removeFirst());
            }
            inFlight.addLast(committers.submit(() -> {
                try {
                    tx.commit();
                    committedSinceAsked.set(true);
                    onCommitted.run();
                } catch (Exception | Error e) {
                    failedMessages.addAndGet(messages);
                    failure.compareAndSet(null, e);
                }
            }));
        } catch (InterruptedException | RuntimeException e) {
            try {
                tx.rollback();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Throws when a batch handed over earlier failed to commit. */
    void rethrowFailure() throws BatchFailedException {
        Throwable e = failure.get();
        if (e != null) {
            throw new BatchFailedException("a batch committing behind the current one failed: " + e, e);
        }
    }

    /** Messages of the batches that failed to commit. */
    int failedMessages() {
        return failedMessages.get();
    }

    /** Whether a batch committed since the last call. */
    boolean committedSinceAsked() {
        return committedSinceAsked.getAndSet(false);
    }

    /** Whether no batch is committing. */
    boolean idle() {
        inFlight.removeIf(Future::isDone);
        return inFlight.isEmpty();
    }

    private void await(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            failure.compareAndSet(null, e.getCause()); // not reached: the task catches everything
        }
    }

    /** Waits for the batches still committing (their connections close next), then stops the threads. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        boolean interrupted = false;
        for (Future<?> f : inFlight) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("A bridge batch was still committing after {} ms; recovery finishes it", drainMillis);
            }
        }
        inFlight.clear();
        committers.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A batch handed to the pipeline failed to commit. */
    static final class BatchFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        BatchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
