package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.transaction.TransactionAware;
import jakarta.transaction.Status;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 18 item 6: the window between a successful enlistment and arming the return to the pool. */
class ReturnToPoolTest {
    /** Counts how often the connection was given back to the pool. */
    static final class CountingConnection implements TransactionAware {
        final AtomicInteger ends = new AtomicInteger();

        @Override
        public void transactionStart() {
        }

        @Override
        public void transactionBeforeCompletion(boolean successful) {
        }

        @Override
        public void transactionCommit() {
        }

        @Override
        public void transactionRollback() {
        }

        @Override
        public void transactionEnd() {
            ends.incrementAndGet();
        }

        @Override
        public void transactionCheckCallback(SQLCallable<Boolean> transactionCheck) {
        }

        @Override
        public Object getConnection() {
            return null;
        }

        @Override
        public void setFlushOnly() {
        }
    }

    @Test
    void aCompletionBetweenEnlistmentAndArmingStillReturnsTheConnectionExactlyOnce() {
        CountingConnection c = new CountingConnection();
        PledgeTransactionIntegration.ReturnToPool r = new PledgeTransactionIntegration.ReturnToPool("db", c);
        r.afterCompletion(Status.STATUS_ROLLEDBACK); // the reaper rolled back right after enlistResource returned
        assertEquals(0, c.ends.get(), "not yet: the enlistment has not been confirmed");
        r.arm();
        assertEquals(1, c.ends.get(), "arming after the completion returns the connection");
        r.afterCompletion(Status.STATUS_ROLLEDBACK);
        r.arm();
        assertEquals(1, c.ends.get(), "and only once");
    }

    @Test
    void anArmedReturnGivesTheConnectionBackAtCompletionOnce() {
        CountingConnection c = new CountingConnection();
        PledgeTransactionIntegration.ReturnToPool r = new PledgeTransactionIntegration.ReturnToPool("db", c);
        r.arm();
        assertEquals(0, c.ends.get());
        r.afterCompletion(Status.STATUS_COMMITTED);
        r.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(1, c.ends.get());
    }

    @Test
    void aFailedEnlistmentNeverReturnsTheConnectionAgain() {
        CountingConnection c = new CountingConnection();
        PledgeTransactionIntegration.ReturnToPool r = new PledgeTransactionIntegration.ReturnToPool("db", c);
        r.disarm(); // Agroal took it back when associate() threw
        r.afterCompletion(Status.STATUS_ROLLEDBACK);
        assertEquals(0, c.ends.get());
    }
}
