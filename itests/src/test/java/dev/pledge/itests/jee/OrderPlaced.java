package dev.pledge.itests.jee;

/**
 * The event of the transactional observer tests: {@code label} names its row in {@link LedgerTable};
 * the BEFORE_COMPLETION observer writes row {@code beforeCompletionRow}, if it is not null.
 */
public record OrderPlaced(String label, String beforeCompletionRow) {
}
