package dev.pledge.bench;

/** One child run's figures. {@code syncsPerTx} is negative when unknown. */
record Measurement(String manager, int threads, int round, double txPerSecond, double p50us, double p99us, double syncsPerTx) {
}
