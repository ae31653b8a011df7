package dev.pledge.bench;

/** One bridge child run: {@code messages} moved in {@code seconds}, batches of {@code batch}. */
record BridgeMeasurement(String contender, int round, int messages, int batch, double seconds) {
    double messagesPerSecond() {
        return messages / seconds;
    }
}
