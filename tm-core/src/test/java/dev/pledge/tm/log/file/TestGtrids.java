package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Gtrid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Gtrids and branch qualifiers shaped like the coordinator's ({@code node:boot-id+sequence}), for journal tests. */
final class TestGtrids {
    private final byte[] prefix;
    private final AtomicLong sequence = new AtomicLong();

    TestGtrids(String node) {
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        prefix = Arrays.copyOf(name, name.length + 1 + 8);
        prefix[name.length] = ':';
        long boot = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            prefix[name.length + 1 + i] = (byte) (boot >>> (56 - 8 * i));
        }
    }

    Gtrid next() {
        byte[] bytes = Arrays.copyOf(prefix, prefix.length + 8);
        long seq = sequence.incrementAndGet();
        for (int i = 0; i < 8; i++) {
            bytes[prefix.length + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return new Gtrid(bytes);
    }

    static byte[] bqual(int branchNumber) {
        return new byte[] {(byte) (branchNumber >>> 24), (byte) (branchNumber >>> 16), (byte) (branchNumber >>> 8), (byte) branchNumber};
    }
}
