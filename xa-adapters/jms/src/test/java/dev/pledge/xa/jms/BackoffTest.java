package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge's retry delays: start at the initial delay, double, stop at the cap, start over after a success. */
class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapAndASuccessStartsOver() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            delays.add(b.failed());
        }
        assertEquals(List.of(100L, 200L, 400L, 500L, 500L), delays);
        assertEquals(5, b.failures());
        b.succeeded();
        assertEquals(0, b.failures());
        assertEquals(100L, b.failed());
    }
}
