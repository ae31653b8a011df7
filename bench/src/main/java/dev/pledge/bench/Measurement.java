package dev.pledge.bench;

/**
 * One child run's figures. {@code cpuUsPerTx}: the child JVM's CPU time (every thread, JIT and GC
 * included) in the measured window per transaction committed in it; {@code idlePercent}: the
 * machine's idle share of that window. Negative values are unknown.
 */
record Measurement(String manager, int threads, int round, double txPerSecond, double p50us, double p99us, double syncsPerTx,
        double cpuUsPerTx, double idlePercent) {

    /** Without CPU figures. */
    Measurement(String manager, int threads, int round, double txPerSecond, double p50us, double p99us, double syncsPerTx) {
        this(manager, threads, round, txPerSecond, p50us, p99us, syncsPerTx, -1, -1);
    }
}
