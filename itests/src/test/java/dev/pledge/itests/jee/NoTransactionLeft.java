package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that left a transaction on its thread, after rolling it back so that the next test
 * starts clean. A callback, not an {@code @AfterEach} method: the Arquillian JUnit 5 extension does
 * not run those with the embedded Weld container.
 */
final class NoTransactionLeft implements AfterEachCallback {
    private final Supplier<TransactionManager> tm;

    NoTransactionLeft(Supplier<TransactionManager> tm) {
        this.tm = tm;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        int status = tm.get().getStatus();
        if (status != Status.STATUS_NO_TRANSACTION) {
            tm.get().rollback();
        }
        assertEquals(Status.STATUS_NO_TRANSACTION, status, "the test left a transaction on the thread");
    }
}
