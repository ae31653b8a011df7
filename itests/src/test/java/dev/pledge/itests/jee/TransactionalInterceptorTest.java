package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.inject.Inject;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionRequiredException;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.TransactionalException;
import jakarta.transaction.UserTransaction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code @Transactional} on Weld through the Pledge CDI extension: each TxType and each exception
 * rule, checked by whether a row written through a {@code TransactionalDataSource} (H2) committed.
 */
@ExtendWith(ArquillianExtension.class)
class TransactionalInterceptorTest {
    @Deployment
    static JavaArchive deployment() {
        return ShrinkWrap.create(JavaArchive.class).addClasses(TxTypes.class, TxTypes.Work.class, LedgerTable.class, RequiredByDefault.class)
                .addClasses(TransactionalStereotype.class, TransactionalStereotype.MandatoryService.class, TransactionalStereotype.Stereotyped.class,
                        TransactionalStereotype.RequiresNewBase.class, TransactionalStereotype.Inheriting.class)
                .addClasses(InterceptorOrder.class, InterceptorOrder.Watched.class, ScopeEvents.class, InterceptorOrder.Recorder.class,
                        InterceptorOrder.Before.class, InterceptorOrder.After.class, InterceptorOrder.Watching.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Inject
    TxTypes tx;
    @Inject
    LedgerTable table;
    @Inject
    TransactionManager tm;
    @Inject
    UserTransaction ut;
    @Inject
    TransactionSynchronizationRegistry tsr;
    @Inject
    TransactionService service;
    @Inject
    RequiredByDefault requiredByDefault;

    @Inject
    TransactionalStereotype.Stereotyped stereotyped;
    @Inject
    TransactionalStereotype.Inheriting inheriting;
    @Inject
    InterceptorOrder.Watching watched;
    @Inject
    ScopeEvents seen;

    @RegisterExtension
    final NoTransactionLeft noTransactionLeft = new NoTransactionLeft(() -> tm);

    private static String row() {
        return "row-" + UUID.randomUUID();
    }

    /** Work that writes {@code label}, then throws {@code failure} (if not null). */
    private TxTypes.Work<Void> write(String label, Exception failure) {
        return () -> {
            table.insert(label);
            if (failure != null) {
                throw failure;
            }
            return null;
        };
    }

    @Test
    void theProducedObjectsAreThoseOfOneTransactionService() {
        assertSame(service.transactionManager(), tm);
        assertSame(service.synchronizationRegistry(), tsr);
        assertEquals("jee-cdi", service.nodeName(), "configured by pledge.properties on the class path");
    }

    @Test
    void requiredWithoutATransactionBeginsOneAndCommitsIt() throws Exception {
        String label = row();
        int inside = tx.required(() -> {
            table.insert(label);
            return tm.getStatus();
        });
        assertEquals(Status.STATUS_ACTIVE, inside);
        assertTrue(table.committed(label));
    }

    @Test
    void requiredJoinsTheCallersTransaction() throws Exception {
        String label = row();
        tm.begin();
        Transaction caller = tm.getTransaction();
        assertSame(caller, tx.required(() -> {
            table.insert(label);
            return tm.getTransaction();
        }));
        tm.rollback();
        assertFalse(table.committed(label), "the caller's rollback undoes the method's write");
    }

    @Test
    void requiresNewSuspendsTheCallersTransactionAndCommitsItsOwn() throws Exception {
        String inner = row();
        String outer = row();
        tm.begin();
        Transaction caller = tm.getTransaction();
        table.insert(outer);
        Transaction own = tx.requiresNew(() -> {
            table.insert(inner);
            return tm.getTransaction();
        });
        assertNotEquals(caller, own);
        assertSame(caller, tm.getTransaction(), "the caller's transaction is resumed");
        tm.rollback();
        assertTrue(table.committed(inner));
        assertFalse(table.committed(outer));
    }

    @Test
    void mandatoryWithoutATransactionThrowsTransactionalExceptionWrappingTransactionRequiredException() {
        String label = row();
        TransactionalException e = assertThrows(TransactionalException.class, () -> tx.mandatory(write(label, null)));
        assertInstanceOf(TransactionRequiredException.class, e.getCause());
    }

    @Test
    void mandatoryRunsInTheCallersTransaction() throws Exception {
        tm.begin();
        Transaction caller = tm.getTransaction();
        assertSame(caller, tx.mandatory(tm::getTransaction));
        tm.commit();
    }

    @Test
    void supportsRunsWithoutATransactionWhenThereIsNoneAndInTheCallersOtherwise() throws Exception {
        assertEquals(Status.STATUS_NO_TRANSACTION, (int) tx.supports(tm::getStatus));
        String label = row();
        tm.begin();
        Transaction caller = tm.getTransaction();
        assertSame(caller, tx.supports(() -> {
            table.insert(label);
            return tm.getTransaction();
        }));
        tm.rollback();
        assertFalse(table.committed(label));
    }

    @Test
    void notSupportedSuspendsTheCallersTransactionAndResumesIt() throws Exception {
        tm.begin();
        Transaction caller = tm.getTransaction();
        String label = row();
        assertEquals(Status.STATUS_NO_TRANSACTION, (int) tx.notSupported(() -> {
            table.insert(label); // auto-commit: outside any transaction
            return tm.getStatus();
        }));
        assertSame(caller, tm.getTransaction());
        tm.rollback();
        assertTrue(table.committed(label));
    }

    @Test
    void neverInsideATransactionThrowsTransactionalExceptionWrappingInvalidTransactionException() throws Exception {
        assertEquals(Status.STATUS_NO_TRANSACTION, (int) tx.never(tm::getStatus));
        tm.begin();
        TransactionalException e = assertThrows(TransactionalException.class, () -> tx.never(tm::getStatus));
        assertInstanceOf(InvalidTransactionException.class, e.getCause());
        assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "the caller's transaction is untouched");
        tm.rollback();
    }

    @Test
    void aRuntimeExceptionRollsBackTheTransactionTheMethodBegan() throws Exception {
        String label = row();
        assertThrows(IllegalStateException.class, () -> tx.required(write(label, new IllegalStateException("boom"))));
        assertFalse(table.committed(label));
    }

    @Test
    void aCheckedExceptionCommitsTheTransactionTheMethodBegan() throws Exception {
        String label = row();
        assertThrows(IOException.class, () -> tx.required(write(label, new IOException("checked"))));
        assertTrue(table.committed(label));
    }

    @Test
    void aRuntimeExceptionInTheCallersTransactionMarksItRollbackOnly() throws Exception {
        String label = row();
        tm.begin();
        assertThrows(IllegalStateException.class, () -> tx.required(write(label, new IllegalStateException("boom"))));
        assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
        tm.rollback();
        assertFalse(table.committed(label));
    }

    @Test
    void inTheCallersTransactionACheckedExceptionLeavesItActiveUnlessRollbackOnListsIt() throws Exception {
        tm.begin();
        assertThrows(IOException.class, () -> tx.mandatory(write(row(), new IOException("checked"))));
        assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "a checked exception does not mark the caller's transaction");
        assertThrows(IOException.class, () -> tx.rollbackOnIo(write(row(), new IOException("listed"))));
        assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus(), "rollbackOn marks the caller's transaction (REQUIRED joined it)");
        tm.rollback();
    }

    @Test
    void rollbackOnMakesACheckedExceptionAndItsSubclassesRollBack() throws Exception {
        String label = row();
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> tx.rollbackOnIo(write(label, new java.nio.file.NoSuchFileException("a subclass of IOException"))));
        assertFalse(table.committed(label));
    }

    @Test
    void dontRollbackOnMakesARuntimeExceptionAndItsSubclassesCommit() throws Exception {
        String label = row();
        assertThrows(NumberFormatException.class,
                () -> tx.dontRollbackOnIllegalArgument(write(label, new NumberFormatException("a subclass of IllegalArgumentException"))));
        assertTrue(table.committed(label));
    }

    @Test
    void dontRollbackOnWinsOverRollbackOn() throws Exception {
        String notFound = row();
        assertThrows(FileNotFoundException.class, () -> tx.rollbackOnIoButNotFileNotFound(write(notFound, new FileNotFoundException())));
        assertTrue(table.committed(notFound), "FileNotFoundException is in both rollbackOn (as an IOException) and dontRollbackOn");
        String io = row();
        assertThrows(IOException.class, () -> tx.rollbackOnIoButNotFileNotFound(write(io, new IOException())));
        assertFalse(table.committed(io));
    }

    @Test
    void userTransactionInsideATransactionalMethodThrowsIllegalStateException() throws Exception {
        for (TxTypes.Work<?> kind : java.util.List.<TxTypes.Work<?>>of(
                () -> tx.required(() -> ut.getStatus()), () -> tx.requiresNew(() -> { ut.commit(); return null; }),
                () -> tx.supports(() -> { ut.begin(); return null; }))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, kind::run);
            assertTrue(e.getMessage().startsWith("UserTransaction."), e.getMessage());
        }
        tm.begin();
        assertThrows(IllegalStateException.class, () -> tx.mandatory(() -> { ut.setRollbackOnly(); return null; }));
        assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus(), "the IllegalStateException, unchecked, marks the caller's transaction");
        tm.rollback();
    }

    @Test
    void aSerializedCopyOfTheUserTransactionIsStillRefusedInsideATransactionalMethod() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            assertTrue(ut instanceof dev.pledge.jee.PledgeUserTransaction, "a @Singleton bean is injected as itself, not a proxy: " + ut);
            out.writeObject(ut);
        }
        UserTransaction copy;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (UserTransaction) in.readObject();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tx.required(() -> { copy.begin(); return null; }));
        assertTrue(e.getMessage().startsWith("UserTransaction.begin() is not allowed inside a @Transactional(REQUIRED)"), e.getMessage());
        String label = row();
        tx.notSupported(() -> {
            copy.begin();
            table.insert(label);
            copy.commit();
            return null;
        });
        assertTrue(table.committed(label), "outside @Transactional methods the copy demarcates transactions as the original does");
    }

    @Test
    void userTransactionWorksInsideNotSupportedAndNever() throws Exception {
        String a = row();
        String b = row();
        for (var pair : java.util.List.of(java.util.Map.entry(a, true), java.util.Map.entry(b, false))) {
            TxTypes.Work<Void> demarcate = () -> {
                ut.begin();
                table.insert(pair.getKey());
                ut.commit();
                return null;
            };
            if (pair.getValue()) {
                tx.notSupported(demarcate);
            } else {
                tx.never(demarcate);
            }
        }
        assertTrue(table.committed(a));
        assertTrue(table.committed(b));
    }

    @Test
    void lifecycleCallbacksAreNotIntercepted() {
        assertEquals(Status.STATUS_NO_TRANSACTION, requiredByDefault.statusInPostConstruct(),
                "@PostConstruct of a @Transactional(REQUIRED) class ran without a transaction");
    }

    @Test
    void aMethodsTxTypeOverridesItsClasss() throws Exception {
        assertEquals(Status.STATUS_ACTIVE, requiredByDefault.status());
        assertEquals(Status.STATUS_NO_TRANSACTION, requiredByDefault.never());
    }

    @Test
    void requiresNewWithoutATransactionBeginsOneAndCommitsIt() throws Exception {
        String label = row();
        assertEquals(Status.STATUS_ACTIVE, (int) tx.requiresNew(() -> {
            table.insert(label);
            return tm.getStatus();
        }));
        assertTrue(table.committed(label));
    }

    @Test
    void aRuntimeExceptionInRequiresNewRollsBackItsOwnTransactionAndLeavesTheCallersActive() throws Exception {
        String inner = row();
        String outer = row();
        tm.begin();
        Transaction caller = tm.getTransaction();
        table.insert(outer);
        assertThrows(IllegalStateException.class, () -> tx.requiresNew(write(inner, new IllegalStateException("inner fails"))));
        assertSame(caller, tm.getTransaction(), "the caller's transaction is resumed after the failure too");
        assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "the inner failure is not the caller's");
        tm.commit();
        assertFalse(table.committed(inner));
        assertTrue(table.committed(outer));
    }

    @Test
    void aRuntimeExceptionInNotSupportedResumesTheCallersTransactionUnmarked() throws Exception {
        tm.begin();
        Transaction caller = tm.getTransaction();
        assertThrows(IllegalStateException.class, () -> tx.notSupported(() -> {
            throw new IllegalStateException("outside the transaction");
        }));
        assertSame(caller, tm.getTransaction());
        assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "NOT_SUPPORTED ran outside the caller's transaction: nothing to mark");
        tm.rollback();
    }

    @Test
    void anErrorRollsBackTheTransactionTheMethodBegan() throws Exception {
        String label = row();
        assertThrows(StackOverflowError.class, () -> tx.required(() -> {
            table.insert(label);
            throw new StackOverflowError("an Error is unchecked too");
        }));
        assertFalse(table.committed(label));
    }

    @Test
    void aTransactionTheMethodMarkedRollbackOnlyIsRolledBackAndTheMethodReturnsNormally() throws Exception {
        String label = row();
        assertEquals("returned", tx.required(() -> {
            table.insert(label);
            tsr.setRollbackOnly();
            return "returned";
        }));
        assertFalse(table.committed(label));
    }

    @Test
    void aTransactionThatTimedOutInTheMethodSurfacesAsTransactionalExceptionWrappingRollbackException() throws Exception {
        String label = row();
        tm.setTransactionTimeout(1);
        try {
            TransactionalException e = assertThrows(TransactionalException.class, () -> tx.required(() -> {
                table.insert(label);
                Thread.sleep(1_500);
                return null;
            }), "the method returned, but its transaction could not commit");
            assertInstanceOf(jakarta.transaction.RollbackException.class, e.getCause());
        } finally {
            tm.setTransactionTimeout(0);
        }
        assertFalse(table.committed(label));
    }

    @Test
    void aStereotypesTransactionalAppliesWithItsTxType() throws Exception {
        TransactionalException e = assertThrows(TransactionalException.class, stereotyped::status, "MANDATORY, from the stereotype");
        assertInstanceOf(TransactionRequiredException.class, e.getCause());
        tm.begin();
        assertEquals(Status.STATUS_ACTIVE, stereotyped.status());
        tm.rollback();
    }

    @Test
    void aSuperclasssTransactionalAppliesToItsSubclassesMethods() throws Exception {
        tm.begin();
        Transaction caller = tm.getTransaction();
        Transaction own = inheriting.transaction();
        assertTrue(own != null && !own.equals(caller), "REQUIRES_NEW, inherited: " + own);
        assertSame(caller, tm.getTransaction());
        tm.rollback();
    }

    @Test
    void anInterceptorOfHigherPriorityRunsInsideTheTransactionAndOneOfLowerPriorityOutside() throws Exception {
        seen.takeAll();
        assertEquals(Status.STATUS_ACTIVE, watched.status());
        assertEquals(java.util.List.of("before status " + Status.STATUS_NO_TRANSACTION, "after status " + Status.STATUS_ACTIVE), seen.takeAll(),
                "Pledge's interceptor has priority PLATFORM_BEFORE + 200");
    }
}
