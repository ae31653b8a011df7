package dev.pledge.itests.jee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Stereotype;
import jakarta.inject.Inject;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** {@code @Transactional} reached through a stereotype and through a superclass, each with a TxType other than the default. */
public final class TransactionalStereotype {
    private TransactionalStereotype() {
    }

    /** A service stereotype whose methods must run in the caller's transaction. */
    @Stereotype
    @ApplicationScoped
    @Transactional(TxType.MANDATORY)
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface MandatoryService {
    }

    /** Its methods get their TxType from the stereotype. */
    @MandatoryService
    public static class Stereotyped {
        @Inject
        TransactionManager tm;

        public int status() throws SystemException {
            return tm.getStatus();
        }
    }

    /** Declares REQUIRES_NEW for its subclasses ({@code @Transactional} is {@code @Inherited}). */
    @Transactional(TxType.REQUIRES_NEW)
    public abstract static class RequiresNewBase {
        @Inject
        TransactionManager tm;

        public jakarta.transaction.Transaction transaction() throws SystemException {
            return tm.getTransaction();
        }
    }

    /** Inherits REQUIRES_NEW from its superclass. */
    @ApplicationScoped
    public static class Inheriting extends RequiresNewBase {
    }
}
