package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryAndXidTest {
    private final Fixture f = new Fixture();
    private final TransactionSynchronizationRegistry tsr = f.svc.synchronizationRegistry();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void theTransactionKeyIsStableWithinATransactionAndDiffersAcross() throws Exception {
        assertNull(tsr.getTransactionKey());
        f.tm.begin();
        Object k1 = tsr.getTransactionKey();
        Object k2 = tsr.getTransactionKey();
        assertEquals(k1, k2);
        assertEquals(k1.hashCode(), k2.hashCode());
        Transaction t = f.tm.suspend();
        f.tm.resume(t);
        assertEquals(k1, tsr.getTransactionKey());
        f.tm.commit();
        f.tm.begin();
        assertNotEquals(k1, tsr.getTransactionKey());
        f.tm.commit();
    }

    @Test
    void resourcesStatusAndRollbackOnlyAreKeptPerTransaction() throws Exception {
        f.tm.begin();
        tsr.putResource("session", "s1");
        assertEquals("s1", tsr.getResource("session"));
        assertEquals(Status.STATUS_ACTIVE, tsr.getTransactionStatus());
        assertFalse(tsr.getRollbackOnly());
        Transaction first = f.tm.suspend();
        f.tm.begin();
        assertNull(tsr.getResource("session"));
        tsr.setRollbackOnly();
        assertTrue(tsr.getRollbackOnly());
        assertEquals(Status.STATUS_MARKED_ROLLBACK, tsr.getTransactionStatus());
        f.tm.rollback();
        f.tm.resume(first);
        assertEquals("s1", tsr.getResource("session"));
        f.tm.commit();
        assertEquals(Status.STATUS_NO_TRANSACTION, tsr.getTransactionStatus());
    }

    @Test
    void outsideATransactionTheRegistryThrowsIllegalState() {
        assertThrows(IllegalStateException.class, () -> tsr.putResource("k", "v"));
        assertThrows(IllegalStateException.class, () -> tsr.getResource("k"));
        assertThrows(IllegalStateException.class, tsr::setRollbackOnly);
        assertThrows(IllegalStateException.class, tsr::getRollbackOnly);
        assertThrows(IllegalStateException.class, () -> tsr.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
            }
        }));
    }

    @Test
    void transactionEqualityFollowsTheGlobalTransaction() throws Exception {
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        Transaction suspended = f.tm.suspend();
        f.tm.begin();
        Transaction other = f.tm.getTransaction();
        assertEquals(t, suspended);
        assertEquals(t.hashCode(), suspended.hashCode());
        assertNotEquals(t, other);
        f.tm.rollback();
        f.tm.resume(t);
        f.tm.rollback();
    }

    @Test
    void xidsCarryTheFormatIdAndTheNodeNameWithinSixtyFourBytes() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.commit();
        Xid x = a.started.get(0);
        assertEquals(0x504C4447, x.getFormatId());
        byte[] g = x.getGlobalTransactionId();
        assertTrue(g.length <= 64);
        byte[] node = f.svc.nodeName().getBytes(StandardCharsets.UTF_8);
        assertTrue(Arrays.equals(node, Arrays.copyOf(g, node.length)));
        assertTrue(new Gtrid(g).isFromNode(node));
        assertEquals(new Gtrid(g), Gtrid.parse(new Gtrid(g).toString()));
    }

    @Test
    void twoServicesInOneJvmAreIndependent() throws Exception {
        try (Fixture other = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            ScriptedXAResource b = other.resource("b");
            f.tm.begin();
            other.tm.begin();
            f.tm.getTransaction().enlistResource(a);
            other.tm.getTransaction().enlistResource(b);
            other.tm.rollback();
            assertEquals(Status.STATUS_ACTIVE, f.tm.getStatus());
            f.tm.commit();
            byte[] ga = a.started.get(0).getGlobalTransactionId();
            byte[] gb = b.started.get(0).getGlobalTransactionId();
            assertFalse(new Gtrid(gb).isFromNode(f.svc.nodeName().getBytes(StandardCharsets.UTF_8)));
            assertNotEquals(new Gtrid(ga), new Gtrid(gb));
            assertEquals(1, f.svc.metrics().getCommitted());
            assertEquals(0, other.svc.metrics().getCommitted());
            assertEquals(1, other.svc.metrics().getRolledBack());
        }
    }

    @Test
    void builderRejectsBadConfigurationWithClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransactionService.builder().nodeName("x".repeat(48)).build());
        assertTrue(e.getMessage().contains("nodeName must be 1 to 47 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TransactionService.builder().nodeName("a:b").build());
        assertTrue(e.getMessage().contains("must not contain ':'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TransactionService.builder().nodeName("n").defaultTimeout(java.time.Duration.ZERO).build());
        assertTrue(e.getMessage().contains("defaultTimeout must be positive"), e.getMessage());
    }
}
