package dev.pledge.tm;

import java.util.List;

/**
 * What {@link TransactionService#drain} left: transactions still running when it gave up waiting,
 * commit decisions still in doubt (their gtrids), heuristic outcomes awaiting an operator, and the
 * branches the last recovery pass left pending. With a database log, anything left was handed over:
 * the lease ended at once so that a peer takes the node over; when nothing is left, the node's rows
 * were deleted and nobody takes it over.
 */
public record DrainResult(int transactionsInFlight, List<String> decisionsInDoubt, int heuristicOutcomes, int branchesPending,
                          boolean handedOver) {
    public DrainResult {
        decisionsInDoubt = List.copyOf(decisionsInDoubt);
    }

    /** True when nothing of this node is left: no transaction running, nothing in doubt. */
    public boolean isClean() {
        return transactionsInFlight == 0 && decisionsInDoubt.isEmpty() && heuristicOutcomes == 0 && branchesPending == 0;
    }
}
