package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Xids as a Pledge node would make them, for tests that plant in-doubt branches. */
final class TestXids {
    private TestXids() {
    }

    /** A branch of transaction {@code seq} of node {@code node}. */
    static PledgeXid ours(String node, long seq, int branch) {
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        byte[] g = Arrays.copyOf(name, name.length + Gtrid.SUFFIX_LENGTH);
        g[name.length] = ':';
        for (int i = 0; i < 8; i++) {
            g[g.length - 1 - i] = (byte) (seq >>> (8 * i));
        }
        return new PledgeXid(g, PledgeXid.bqual(branch));
    }

    static Gtrid gtrid(PledgeXid xid) {
        return new Gtrid(xid.getGlobalTransactionId());
    }
}
