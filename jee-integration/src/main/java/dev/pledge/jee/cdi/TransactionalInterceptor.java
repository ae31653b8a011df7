package dev.pledge.jee.cdi;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Stereotype;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionRequiredException;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.TransactionalException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.annotation.Annotation;

/**
 * {@code @Transactional} for all six TxTypes (JTA 2.0, section 3.7). The extension makes the
 * binding's {@code value} non-binding, so this one interceptor sees every {@code @Transactional}
 * method and reads its TxType, {@code rollbackOn} and {@code dontRollbackOn} from the method, else
 * from the class (directly, inherited, or through a stereotype). Only business methods are
 * intercepted: there is no lifecycle callback here.
 */
@Transactional
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 200)
class TransactionalInterceptor implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Inject
    BeanManager beans;

    @AroundInvoke
    Object intercept(InvocationContext ctx) throws Exception {
        Transactional tx = bindingOf(ctx);
        PledgeExtension pledge = beans.getExtension(PledgeExtension.class);
        TransactionManager tm = pledge.service().transactionManager();
        TxType outer = pledge.guard().enter(tx.value());
        try {
            return switch (tx.value()) {
                case REQUIRED -> hasTransaction(tm) ? inCaller(ctx, tx, tm) : inNew(ctx, tx, tm);
                case REQUIRES_NEW -> suspended(tm, () -> inNew(ctx, tx, tm));
                case MANDATORY -> {
                    if (!hasTransaction(tm)) {
                        throw new TransactionalException("@Transactional(MANDATORY) " + ctx.getMethod() + " was called without a transaction",
                                new TransactionRequiredException("no transaction on thread " + Thread.currentThread().getName()));
                    }
                    yield inCaller(ctx, tx, tm);
                }
                case SUPPORTS -> hasTransaction(tm) ? inCaller(ctx, tx, tm) : ctx.proceed();
                case NOT_SUPPORTED -> suspended(tm, ctx::proceed);
                case NEVER -> {
                    if (hasTransaction(tm)) {
                        throw new TransactionalException("@Transactional(NEVER) " + ctx.getMethod() + " was called inside "
                                + tm.getTransaction(), new InvalidTransactionException("a transaction is active"));
                    }
                    yield ctx.proceed();
                }
            };
        } finally {
            pledge.guard().leave(outer);
        }
    }

    /** Runs in a transaction begun here, and completes it. */
    private static Object inNew(InvocationContext ctx, Transactional tx, TransactionManager tm) throws Exception {
        tm.begin();
        Object result;
        try {
            result = ctx.proceed();
        } catch (Throwable t) {
            try {
                complete(tm, rollsBack(tx, t));
            } catch (RuntimeException completion) {
                t.addSuppressed(completion);
            }
            throw t;
        }
        complete(tm, false);
        return result;
    }

    /** Runs in the caller's transaction; an exception that rolls back marks it rollback-only. */
    private static Object inCaller(InvocationContext ctx, Transactional tx, TransactionManager tm) throws Exception {
        try {
            return ctx.proceed();
        } catch (Throwable t) {
            if (rollsBack(tx, t)) {
                try {
                    tm.setRollbackOnly();
                } catch (IllegalStateException | SystemException e) {
                    t.addSuppressed(e);
                }
            }
            throw t;
        }
    }

    @FunctionalInterface
    private interface Body {
        Object run() throws Exception;
    }

    private static Object suspended(TransactionManager tm, Body body) throws Exception {
        Transaction caller = tm.suspend();
        try {
            return body.run();
        } finally {
            if (caller != null) {
                tm.resume(caller);
            }
        }
    }

    private static void complete(TransactionManager tm, boolean rollback) {
        try {
            if (rollback || tm.getStatus() == Status.STATUS_MARKED_ROLLBACK) {
                tm.rollback();
            } else {
                tm.commit();
            }
        } catch (RollbackException | HeuristicMixedException | HeuristicRollbackException | SystemException e) {
            throw new TransactionalException("The transaction of a @Transactional method did not commit: " + e.getMessage(), e);
        }
    }

    private static boolean hasTransaction(TransactionManager tm) throws SystemException {
        return tm.getStatus() != Status.STATUS_NO_TRANSACTION;
    }

    /** dontRollbackOn wins over rollbackOn; both cover subclasses; otherwise unchecked exceptions roll back. */
    static boolean rollsBack(Transactional tx, Throwable t) {
        for (Class<?> c : tx.dontRollbackOn()) {
            if (c.isInstance(t)) {
                return false;
            }
        }
        for (Class<?> c : tx.rollbackOn()) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return t instanceof RuntimeException || t instanceof Error;
    }

    private static Transactional bindingOf(InvocationContext ctx) {
        Transactional tx = ctx.getMethod().getAnnotation(Transactional.class);
        if (tx == null) {
            tx = onClass(ctx.getTarget().getClass());
        }
        if (tx == null) {
            tx = onClass(ctx.getMethod().getDeclaringClass());
        }
        if (tx == null) {
            throw new IllegalStateException("Intercepted " + ctx.getMethod() + " but found no @Transactional on it or its class");
        }
        return tx;
    }

    private static Transactional onClass(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            Transactional tx = c.getAnnotation(Transactional.class);
            if (tx != null) {
                return tx;
            }
            for (Annotation a : c.getAnnotations()) {
                if (a.annotationType().isAnnotationPresent(Stereotype.class)) {
                    tx = a.annotationType().getAnnotation(Transactional.class);
                    if (tx != null) {
                        return tx;
                    }
                }
            }
        }
        return null;
    }
}
