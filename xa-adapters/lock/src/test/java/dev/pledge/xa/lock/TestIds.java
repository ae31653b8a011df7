package dev.pledge.xa.lock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.Xid;

/** Hand-made transaction identities shaped like Pledge's ({@code node:boot+seq}, format 0x504C4447). */
final class TestIds {
    static final int PLEDGE_FORMAT = 0x504C4447;
    private final String node;
    private final long boot = System.nanoTime();
    private final AtomicLong seq = new AtomicLong();

    TestIds(String node) {
        this.node = node;
    }

    /** A new transaction: owner (younger than every earlier one) and its branch Xid. */
    Tx next() {
        long n = seq.incrementAndGet();
        byte[] name = (node + ":").getBytes(StandardCharsets.UTF_8);
        byte[] gtrid = ByteBuffer.allocate(name.length + 16).put(name).putLong(boot).putLong(n).array();
        return new Tx(Owner.of(gtrid, n), new Xids.SimpleXid(PLEDGE_FORMAT, gtrid, new byte[] {0, 0, 0, 1}));
    }

    record Tx(Owner owner, Xid xid) {
    }
}
