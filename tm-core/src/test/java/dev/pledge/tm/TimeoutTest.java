package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {
    private final Fixture f = new Fixture(Duration.ofSeconds(40));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void setTransactionTimeoutAppliesToLaterBeginsAndZeroRestoresTheDefault() throws Exception {
        f.tm.setTransactionTimeout(7);
        f.tm.begin();
        assertEquals(7, f.current().timeoutSeconds);
        f.tm.commit();
        f.tm.begin();
        assertEquals(7, f.current().timeoutSeconds, "stays for later begins on this thread");
        f.tm.commit();
        f.tm.setTransactionTimeout(0);
        f.tm.begin();
        assertEquals(40, f.current().timeoutSeconds);
        f.tm.commit();
    }

    @Test
    void negativeTimeoutThrowsSystemException() {
        assertThrows(SystemException.class, () -> f.tm.setTransactionTimeout(-1));
    }

    @Test
    void resourcesAreToldTheRemainingTimeout() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.setTransactionTimeout(30);
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.commit();
        assertEquals(1, a.timeouts.size());
        int told = a.timeouts.get(0);
        assertTrue(told > 0 && told <= 30, "told " + told);
    }

    @Test
    void theReaperRollsBackATimedOutTransactionWhileTheApplicationHoldsIt() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.tm.setTransactionTimeout(1);
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.getTransaction().enlistResource(b);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (f.log.count("b.rollback") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the application is "busy"
        }
        assertEquals(1, f.log.count("a.rollback"), f.log.toString());
        assertEquals(1, f.log.count("b.rollback"), f.log.toString());
        assertTrue(f.log.indexOf("a.end(TMFAIL)") < f.log.indexOf("a.rollback"), f.log.toString());
        assertEquals(Status.STATUS_ROLLEDBACK, f.tm.getStatus());
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(0, f.log.count("a.prepare"));
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        assertEquals(1, f.svc.metrics().getTimedOut());
    }

    @Test
    void rollbackAfterATimeoutSucceedsQuietly() throws Exception {
        f.tm.setTransactionTimeout(1);
        f.tm.begin();
        f.tm.getTransaction().enlistResource(f.resource("a"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (f.tm.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        f.tm.rollback();
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        assertEquals(1, f.log.count("a.rollback"));
    }
}
