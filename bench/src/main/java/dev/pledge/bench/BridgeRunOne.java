package dev.pledge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Child JVM: two fresh persistent brokers under DIR, WARMUP + MESSAGES messages preloaded on the
 * source, then one bridge contender moves them all. The clock runs from the moment the target holds
 * WARMUP messages (JIT and connections warm) until it holds all of them and the source is empty.
 * Prints {@code RESULT messages=… seconds=…}.
 * <pre>BridgeRunOne CONTENDER MESSAGES WARMUP_MESSAGES BATCH DIR</pre>
 */
public final class BridgeRunOne {
    private BridgeRunOne() {
    }

    public static void main(String[] args) throws Exception {
        String contender = args[0];
        int messages = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        Path dir = Files.createDirectories(Path.of(args[4]));
        int all = warmup + messages;
        try (BridgeBroker source = new BridgeBroker("bench-source", dir.resolve("source"));
                BridgeBroker target = new BridgeBroker("bench-target", dir.resolve("target"))) {
            source.fill(BridgeContender.IN, all);
            try (BridgeContender c = BridgeContender.named(contender)) {
                long deadline = System.nanoTime() + 600_000_000_000L;
                c.start(dir, source, target, batch);
                while (target.messageCount(BridgeContender.OUT) < warmup) {
                    pause(deadline);
                }
                long t0 = System.nanoTime();
                while (target.messageCount(BridgeContender.OUT) < all || source.messageCount(BridgeContender.IN) > 0) {
                    pause(deadline);
                }
                long t1 = System.nanoTime();
                if (target.messageCount(BridgeContender.OUT) != all) {
                    throw new IllegalStateException("the target holds " + target.messageCount(BridgeContender.OUT) + " messages, not " + all);
                }
                System.out.printf(Locale.ROOT, "RESULT messages=%d seconds=%.3f%n", messages, (t1 - t0) / 1e9);
            }
        }
        System.exit(0);
    }

    private static void pause(long deadline) throws InterruptedException {
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("the bridge did not move the messages in 10 minutes");
        }
        Thread.sleep(2);
    }
}
