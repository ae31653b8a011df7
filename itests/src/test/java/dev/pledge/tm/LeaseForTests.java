package dev.pledge.tm;

import java.time.Duration;

/**
 * Gives the itests' node JVMs a database-log lease of a second or two, so that a killed node's name
 * can be taken back within a test's round: the builder's lease setting is not public yet.
 */
public final class LeaseForTests {
    private LeaseForTests() {
    }

    public static TransactionService.Builder lease(TransactionService.Builder builder, Duration lease) {
        return builder.databaseLogLease(lease);
    }
}
