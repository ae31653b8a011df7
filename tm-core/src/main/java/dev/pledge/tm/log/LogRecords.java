package dev.pledge.tm.log;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The values the recovery journal stores. */
public final class LogRecords {
    private LogRecords() {
    }

    /** One branch of a decided transaction: its bqual and the name of the resource it ran on. */
    public record BranchRecord(byte[] bqual, String resourceName) {
        @Override
        public boolean equals(Object o) {
            return o instanceof BranchRecord b && Arrays.equals(b.bqual, bqual) && b.resourceName.equals(resourceName);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(bqual) + resourceName.hashCode();
        }

        @Override
        public String toString() {
            return resourceName + "/" + HexFormat.of().formatHex(bqual);
        }
    }

    /** The commit decision: forced to disk after every prepare succeeded, before the first phase-2 commit. */
    public record CommitRecord(Gtrid gtrid, List<BranchRecord> branches, long decidedAtMillis) {
        public CommitRecord {
            branches = List.copyOf(branches);
        }
    }

    /**
     * A heuristic outcome a resource reported for one branch; kept in the log until an operator
     * resolves it. {@code xaCode} is the {@link javax.transaction.xa.XAException} error code
     * (XA_HEURCOM, XA_HEURRB, XA_HEURMIX, XA_HEURHAZ) and {@code committed} the decision it contradicts or matches.
     */
    public record HeuristicRecord(Gtrid gtrid, BranchRecord branch, int xaCode, boolean decisionWasCommit, long atMillis) {
    }
}
