package dev.pledge.tm;

import java.util.concurrent.atomic.LongAdder;

/** The service's transaction counters; contention-free on the commit path. */
final class Counters {
    final LongAdder begun = new LongAdder();
    final LongAdder committed = new LongAdder();
    final LongAdder rolledBack = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder heuristic = new LongAdder();
    final LongAdder decisionsLogged = new LongAdder();
}
