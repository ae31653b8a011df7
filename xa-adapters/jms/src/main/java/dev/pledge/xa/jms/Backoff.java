package dev.pledge.xa.jms;

import java.time.Duration;

/** Exponential backoff between retries: initial, doubling, capped; reset by a success. Not thread-safe. */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** Records a failure and returns how long to wait before the next attempt. */
    long failed() {
        failures++;
        long d = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return d;
    }

    /** Consecutive failures since the last success. */
    int failures() {
        return failures;
    }

    void succeeded() {
        failures = 0;
        nextMillis = initialMillis;
    }
}
