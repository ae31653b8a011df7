package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/** Pledge's {@link Xid}: the fixed {@link #FORMAT_ID}, a {@link Gtrid} and a per-branch qualifier. */
final class PledgeXid implements Xid, Serializable {
    private static final long serialVersionUID = 1L;

    /** "PLDG" in ASCII; recovery leaves Xids with any other format alone. */
    static final int FORMAT_ID = 0x504C4447;

    private final byte[] gtrid;
    private final byte[] bqual;
    private final int hash;

    PledgeXid(byte[] gtrid, byte[] bqual) {
        this.gtrid = gtrid;
        this.bqual = bqual;
        this.hash = 31 * Arrays.hashCode(gtrid) + Arrays.hashCode(bqual);
    }

    static byte[] bqual(int branchNumber) {
        return new byte[] {(byte) (branchNumber >>> 24), (byte) (branchNumber >>> 16), (byte) (branchNumber >>> 8), (byte) branchNumber};
    }

    @Override
    public int getFormatId() {
        return FORMAT_ID;
    }

    @Override
    public byte[] getGlobalTransactionId() {
        return gtrid.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
        return bqual.clone();
    }

    byte[] bqualBytes() {
        return bqual;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PledgeXid x && x.hash == hash && Arrays.equals(x.gtrid, gtrid) && Arrays.equals(x.bqual, bqual);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new Gtrid(gtrid) + "/" + HexFormat.of().formatHex(bqual);
    }
}
