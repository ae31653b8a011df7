package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactional observer methods on Weld (with {@code weld-jta}) through the Pledge CDI extension's
 * {@code TransactionServices}: each phase against real commits and rollbacks of rows written
 * through a {@code TransactionalDataSource} on H2. The observers record the transaction status
 * they run in (0 active, 1 marked rollback, 3 committed, 4 rolled back, 6 none) and whether the
 * event's row was committed by then.
 */
@ExtendWith(ArquillianExtension.class)
class TransactionalObserversTest {
    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class)
                .addClasses(OrderPlaced.class, OrderObservers.class, LedgerTable.class, TxTypes.class, TxTypes.Work.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    Event<OrderPlaced> orders;
    @Inject
    OrderObservers observers;
    @Inject
    LedgerTable ledger;
    @Inject
    TransactionManager tm;
    @Inject
    TxTypes tx;

    @RegisterExtension
    final BeforeEachCallback forgetEarlierCalls = context -> observers.takeAll();
    @RegisterExtension
    final NoTransactionLeft noTransactionLeft = new NoTransactionLeft(() -> tm);

    private static String label() {
        return "order-" + UUID.randomUUID();
    }

    @Test
    void afterSuccessObserversRunOnlyAfterTheCommitAndSeeItsWrites() throws Exception {
        String label = label();
        tm.begin();
        ledger.insert(label);
        orders.fire(new OrderPlaced(label, null));
        List<String> atFire = observers.takeAll();
        tm.commit();
        List<String> atCommit = observers.takeAll();

        assertEquals(List.of("IN_PROGRESS status 0 committed false"), atFire, "only IN_PROGRESS runs when the event is fired");
        assertEquals("BEFORE_COMPLETION status 0 committed false", atCommit.get(0));
        assertEquals(Set.of("AFTER_SUCCESS status 3 committed true", "AFTER_COMPLETION status 3 committed true"),
                Set.copyOf(atCommit.subList(1, atCommit.size())));
        assertEquals(3, atCommit.size(), atCommit.toString());
    }

    @Test
    void onRollbackOnlyAfterFailureAndAfterCompletionObserversRun() throws Exception {
        String label = label();
        String before = label + "-before";
        tm.begin();
        ledger.insert(label);
        orders.fire(new OrderPlaced(label, before));
        observers.takeAll();
        tm.rollback();

        assertEquals(Set.of("AFTER_FAILURE status 4 committed false", "AFTER_COMPLETION status 4 committed false"),
                Set.copyOf(observers.takeAll()), "no BEFORE_COMPLETION (a rollback has no before-completion phase), no AFTER_SUCCESS");
        assertFalse(ledger.committed(label));
        assertFalse(ledger.committed(before));
    }

    @Test
    void aBeforeCompletionObserverWritesInTheTransactionBeforeItCommitsAndItsWriteIsCommitted() throws Exception {
        String label = label();
        String before = label + "-before";
        tm.begin();
        ledger.insert(label);
        orders.fire(new OrderPlaced(label, before));
        assertFalse(ledger.committed(before), "not called when the event is fired");
        tm.commit();

        assertTrue(observers.takeAll().contains("BEFORE_COMPLETION status 0 committed false"));
        assertTrue(ledger.committed(label));
        assertTrue(ledger.committed(before), "the row the BEFORE_COMPLETION observer wrote is committed with the transaction");
    }

    @Test
    void aBeforeCompletionObserversWriteRollsBackWithTheTransactionWhenAResourceVotesNo() throws Exception {
        String label = label();
        String before = label + "-before";
        tm.begin();
        ledger.insert(label);
        tm.getTransaction().enlistResource(votingNo());
        orders.fire(new OrderPlaced(label, before));
        observers.takeAll();
        assertThrows(RollbackException.class, tm::commit);

        List<String> calls = observers.takeAll();
        assertEquals("BEFORE_COMPLETION status 0 committed false", calls.get(0));
        assertEquals(Set.of("AFTER_FAILURE status 4 committed false", "AFTER_COMPLETION status 4 committed false"),
                Set.copyOf(calls.subList(1, calls.size())));
        assertFalse(ledger.committed(label));
        assertFalse(ledger.committed(before), "the BEFORE_COMPLETION observer wrote in the transaction, not beside it");
    }

    @Test
    void withoutATransactionEveryObserverIsCalledWhenTheEventIsFired() throws Exception {
        String label = label();
        String before = label + "-before";
        orders.fire(new OrderPlaced(label, before));

        assertEquals(Set.of("IN_PROGRESS status 6 committed false", "BEFORE_COMPLETION status 6 committed false",
                "AFTER_COMPLETION status 6 committed false", "AFTER_SUCCESS status 6 committed false",
                "AFTER_FAILURE status 6 committed false"), Set.copyOf(observers.takeAll()));
        assertTrue(ledger.committed(before), "written outside any transaction, in auto-commit");
    }

    @Test
    void inARollbackOnlyTransactionAfterSuccessObserversNeverRun() throws Exception {
        String label = label();
        tm.begin();
        tm.setRollbackOnly();
        orders.fire(new OrderPlaced(label, null));
        // the transaction refuses the synchronization: Weld calls all but AFTER_SUCCESS at once, as on WildFly
        List<String> atFire = observers.takeAll();
        tm.rollback();

        assertEquals(Set.of("IN_PROGRESS status 1 committed false", "BEFORE_COMPLETION status 1 committed false",
                "AFTER_COMPLETION status 1 committed false", "AFTER_FAILURE status 1 committed false"), Set.copyOf(atFire));
        assertEquals(List.of(), observers.takeAll());
    }

    @Test
    void aTransactionalMethodThatThrowsNotifiesAfterFailureObserversAfterItsRollback() {
        String label = label();
        RuntimeException failure = new IllegalStateException("payment refused");
        assertThrows(IllegalStateException.class, () -> tx.required(() -> {
            ledger.insert(label);
            orders.fire(new OrderPlaced(label, null));
            throw failure;
        }));

        assertEquals(Set.of("IN_PROGRESS status 0 committed false", "AFTER_FAILURE status 4 committed false",
                "AFTER_COMPLETION status 4 committed false"), Set.copyOf(observers.takeAll()));
    }

    @Test
    void aTransactionalMethodThatReturnsNotifiesAfterSuccessObserversAfterItsCommit() throws Exception {
        String label = label();
        tx.required(() -> {
            ledger.insert(label);
            orders.fire(new OrderPlaced(label, null));
            return null;
        });

        assertEquals(Set.of("IN_PROGRESS status 0 committed false", "BEFORE_COMPLETION status 0 committed false",
                "AFTER_SUCCESS status 3 committed true", "AFTER_COMPLETION status 3 committed true"),
                Set.copyOf(observers.takeAll()));
    }

    /** A resource that votes to roll back in prepare and accepts everything else. */
    private static XAResource votingNo() {
        return (XAResource) Proxy.newProxyInstance(TransactionalObserversTest.class.getClassLoader(), new Class<?>[] {XAResource.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "prepare" -> throw new XAException(XAException.XA_RBROLLBACK);
                    case "recover" -> new Xid[0];
                    case "isSameRM", "setTransactionTimeout" -> false;
                    case "getTransactionTimeout" -> 0;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "a resource voting no";
                    default -> null;
                });
    }
}
