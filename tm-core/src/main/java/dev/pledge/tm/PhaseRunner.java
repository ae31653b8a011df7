package dev.pledge.tm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Runs one XA call (prepare, commit or rollback) on every branch that takes part in a phase.
 * <p>
 * Sequential (the default): in branch order on the calling thread, stopping early when a call says
 * so (a no-vote). Parallel ({@code parallelPhases(true)}): when two or more branches take part, all
 * but the first go to this service's daemon threads and the calling thread runs the first itself;
 * {@link #run} returns only once every call has finished, so nothing is decided before every vote is
 * in, and whatever the calls wrote into their branches is visible to the caller ({@link Future#get}
 * orders it before). Calls on different branches then overlap: their resources must tolerate that,
 * as they do when different transactions use them at once.
 */
final class PhaseRunner {
    /** One branch's XA call: writes its result into the branch and does not throw; false stops a sequential phase. */
    @FunctionalInterface
    interface Call {
        boolean run(TransactionImpl tx, Branch b);
    }

    /** Null when sequential; a cached pool (threads made on demand, idle ones leave after a minute) otherwise. */
    private final ExecutorService executor;

    private PhaseRunner(ExecutorService executor) {
        this.executor = executor;
    }

    static PhaseRunner sequential() {
        return new PhaseRunner(null);
    }

    /** Worker threads are daemons named {@code pledge-2pc-<node>-<n>}. */
    static PhaseRunner parallel(String nodeName) {
        AtomicInteger n = new AtomicInteger();
        return new PhaseRunner(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pledge-2pc-" + nodeName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
    }

    /** Runs {@code call} on each of {@code branches} that {@code takesPart}; returns when all are done. */
    void run(TransactionImpl tx, List<Branch> branches, Predicate<Branch> takesPart, Call call) {
        if (executor == null || count(branches, takesPart) < 2) {
            for (int i = 0, n = branches.size(); i < n; i++) {
                Branch b = branches.get(i);
                if (takesPart.test(b) && !call.run(tx, b)) {
                    return;
                }
            }
            return;
        }
        Branch own = null;
        List<Future<?>> others = new ArrayList<>(branches.size());
        for (int i = 0, n = branches.size(); i < n; i++) {
            Branch b = branches.get(i);
            if (!takesPart.test(b)) {
                continue;
            }
            if (own == null) {
                own = b;
                continue;
            }
            try {
                others.add(executor.submit(() -> call.run(tx, b)));
            } catch (RejectedExecutionException closed) {
                call.run(tx, b); // the service is closing: this transaction still completes, on this thread
            }
        }
        Throwable failure = null;
        try {
            call.run(tx, own);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : others) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // never decide before every call has returned
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private static int count(List<Branch> branches, Predicate<Branch> takesPart) {
        int k = 0;
        for (int i = 0, n = branches.size(); i < n; i++) {
            if (takesPart.test(branches.get(i))) {
                k++;
            }
        }
        return k;
    }

    /** Lets calls in flight finish (their transactions are completing on other threads), then stops the threads. */
    void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
