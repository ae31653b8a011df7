package dev.pledge.xa.lock;

import jakarta.transaction.TransactionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads that each run transactions incrementing a {@link FileCounter} under one exclusive lock. */
final class ContentionLoop {
    private ContentionLoop() {
    }

    /** Returns how many increments found another holder inside. */
    static int run(TransactionManager tm, LockService locks, FileCounter counter, String key, int threads, int rounds) throws Exception {
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        tm.begin();
                        locks.lock(key);
                        if (!counter.increment()) {
                            overlaps.incrementAndGet();
                        }
                        tm.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return overlaps.get();
    }
}
