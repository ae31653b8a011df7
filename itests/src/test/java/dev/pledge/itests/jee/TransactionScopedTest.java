package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.util.ArrayList;
import java.util.List;
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

/** The {@code @TransactionScoped} context of the Pledge CDI extension on Weld. */
@ExtendWith(ArquillianExtension.class)
class TransactionScopedTest {
    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class).addClasses(PerTransaction.class, ScopeEvents.class, TxTypes.class, TxTypes.Work.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    PerTransaction bean;
    @Inject
    ScopeEvents events;
    @Inject
    TransactionManager tm;
    @Inject
    TxTypes scopedIn;

    /** A callback, not a {@code @BeforeEach} method: see {@link NoTransactionLeft}. */
    @RegisterExtension
    final BeforeEachCallback forgetEarlierEvents = context -> events.takeAll();
    @RegisterExtension
    final NoTransactionLeft noTransactionLeft = new NoTransactionLeft(() -> tm);

    @Test
    void eachTransactionHasItsOwnInstance() throws Exception {
        tm.begin();
        String first = bean.id();
        assertEquals(first, bean.id());
        tm.commit();
        tm.begin();
        assertNotEquals(first, bean.id());
        tm.commit();
    }

    @Test
    void theInstanceFollowsItsTransactionThroughSuspendAndResume() throws Exception {
        tm.begin();
        String outer = bean.id();
        Transaction suspended = tm.suspend();
        tm.begin();
        String inner = bean.id();
        tm.commit();
        tm.resume(suspended);
        assertEquals(outer, bean.id());
        assertNotEquals(outer, inner);
        tm.commit();
    }

    @Test
    void withoutATransactionTheContextIsNotActive() throws Exception {
        assertThrows(ContextNotActiveException.class, bean::id);
        tm.begin();
        Transaction tx = tm.suspend();
        assertThrows(ContextNotActiveException.class, bean::id, "a suspended transaction is not the thread's");
        tm.resume(tx);
        tm.commit();
    }

    @Test
    void preDestroyRunsAfterCommitAndAfterRollback() throws Exception {
        tm.begin();
        String committed = bean.id();
        tm.commit();
        tm.begin();
        String rolledBack = bean.id();
        tm.rollback();
        List<String> destroyed = events.takeAll().stream().filter(e -> e.startsWith("preDestroy")).toList();
        assertEquals(List.of("preDestroy " + committed + " status " + Status.STATUS_COMMITTED,
                "preDestroy " + rolledBack + " status " + Status.STATUS_ROLLEDBACK), destroyed);
    }

    @Test
    void theContextIsActiveInARollbackOnlyTransactionAndItsInstanceIsDestroyedAfterRollback() throws Exception {
        tm.begin();
        tm.setRollbackOnly();
        String id = bean.id();
        tm.rollback();
        assertEquals(List.of("preDestroy " + id + " status " + Status.STATUS_ROLLEDBACK),
                events.takeAll().stream().filter(e -> e.startsWith("preDestroy")).toList());
    }

    @Test
    void theContextStaysActiveWhileTheTransactionPreparesAndCommits() throws Exception {
        List<String> seen = new ArrayList<>();
        tm.begin();
        String id = bean.id();
        tm.getTransaction().enlistResource(new Probe(seen));
        tm.getTransaction().enlistResource(new Probe(seen));
        tm.commit();
        String preparing = "status " + Status.STATUS_PREPARING + " " + id;
        String committing = "status " + Status.STATUS_COMMITTING + " " + id;
        assertEquals(List.of(preparing, preparing, committing, committing), seen);
    }

    @Test
    void initializedAndDestroyedEventsAreFiredForEachTransaction() throws Exception {
        tm.begin();
        int tx = tm.getTransaction().hashCode();
        String id = bean.id();
        bean.id();
        tm.commit();
        assertEquals(List.of("initialized " + tx, "preDestroy " + id + " status " + Status.STATUS_COMMITTED, "destroyed " + tx),
                events.takeAll());
    }

    @Test
    void anInstanceFirstUsedInBeforeCompletionBelongsToThatTransactionAndIsDestroyedAfterIt() throws Exception {
        List<String> seen = new ArrayList<>();
        tm.begin();
        tm.getTransaction().registerSynchronization(new jakarta.transaction.Synchronization() {
            @Override
            public void beforeCompletion() {
                seen.add(bean.id());
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        tm.commit();
        assertEquals(1, seen.size());
        assertEquals(List.of("preDestroy " + seen.get(0) + " status " + Status.STATUS_COMMITTED),
                events.takeAll().stream().filter(e -> e.startsWith("preDestroy")).toList());
    }

    @Test
    void aTransactionsFirstInstanceCannotBeCreatedOnceItsCommitHasBegunAndTheErrorSaysWhy() throws Exception {
        List<String> seen = new ArrayList<>();
        tm.begin();
        tm.getTransaction().enlistResource(new Probe(seen));
        tm.getTransaction().enlistResource(new Probe(seen));
        jakarta.transaction.RollbackException e = assertThrows(jakarta.transaction.RollbackException.class, tm::commit,
                "the probe's prepare fails, so its branch votes no");
        assertEquals(List.of(), seen);
        assertTrue(String.valueOf(e.getMessage()).contains("The first @TransactionScoped instance of a transaction cannot be created once it"
                + " has begun to complete (status PREPARING"), e.getMessage());
        assertEquals(List.of(), events.takeAll(), "nothing was created, so nothing is destroyed");
    }

    @Test
    void theInstancesOfATransactionThatTimedOutAreDestroyedByItsRollback() throws Exception {
        tm.setTransactionTimeout(1);
        String id;
        try {
            tm.begin();
            id = bean.id();
        } finally {
            tm.setTransactionTimeout(0);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> destroyed = List.of();
        while (destroyed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            destroyed = events.takeAll().stream().filter(e -> e.startsWith("preDestroy " + id)).toList();
        }
        assertEquals(1, destroyed.size(), "destroyed once the timeout rolled the transaction back, before the thread ends it");
        tm.rollback(); // the thread's part: returns once the timeout's rollback is done
        assertEquals(List.of(), events.takeAll().stream().filter(e -> e.startsWith("preDestroy")).toList(), "and only once");
    }

    @Test
    void aTransactionBegunByTheInterceptorHasItsOwnInstanceToo() throws Exception {
        String first = scopedIn.required(bean::id);
        String second = scopedIn.required(bean::id);
        assertNotEquals(first, second);
        assertEquals(List.of("preDestroy " + first + " status " + Status.STATUS_COMMITTED, "preDestroy " + second + " status " + Status.STATUS_COMMITTED),
                events.takeAll().stream().filter(e -> e.startsWith("preDestroy")).toList());
    }

    /** An XA resource that reads the scoped bean (and the status) while the transaction prepares and commits it. */
    private final class Probe implements XAResource {
        private final List<String> seen;

        Probe(List<String> seen) {
            this.seen = seen;
        }

        private void look() {
            try {
                seen.add("status " + tm.getStatus() + " " + bean.id());
            } catch (SystemException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int prepare(Xid xid) {
            look();
            return XA_OK;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
            look();
        }

        @Override
        public void start(Xid xid, int flags) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return false;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return false;
        }
    }
}
