package dev.pledge.xa.lock;

import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/** Xid helpers: a value copy, and a text form usable as a file or ZooKeeper node name. */
final class Xids {
    private static final HexFormat HEX = HexFormat.of();

    private Xids() {
    }

    /** {@code formatId-gtridHex-bqualHex}, with the format id in hex. */
    static String encode(Xid xid) {
        return Integer.toHexString(xid.getFormatId()) + "-" + HEX.formatHex(xid.getGlobalTransactionId()) + "-"
                + HEX.formatHex(xid.getBranchQualifier());
    }

    static Xid decode(String text) {
        String[] parts = text.split("-", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an encoded Xid: '" + text + "'");
        }
        return new SimpleXid(Integer.parseUnsignedInt(parts[0], 16), HEX.parseHex(parts[1]), HEX.parseHex(parts[2]));
    }

    static String gtridHex(Xid xid) {
        return HEX.formatHex(xid.getGlobalTransactionId());
    }

    /** An immutable Xid compared by value. */
    record SimpleXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return formatId;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SimpleXid x && x.formatId == formatId && Arrays.equals(x.gtrid, gtrid) && Arrays.equals(x.bqual, bqual);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
        }

        @Override
        public String toString() {
            return encode(this);
        }
    }
}
