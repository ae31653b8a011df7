package dev.pledge.xa.lock;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A real XA data source whose next phase-two commit, once armed, fails with {@code XAER_RMFAIL}
 * without reaching the database: the branch stays prepared there, as after a network failure,
 * and the transaction manager leaves it to recovery.
 */
final class FailingCommitXADataSource {
    private final XADataSource delegate;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger failed = new AtomicInteger();

    FailingCommitXADataSource(XADataSource delegate) {
        this.delegate = delegate;
    }

    void failNextCommit() {
        armed.set(true);
    }

    int failedCommits() {
        return failed.get();
    }

    XADataSource dataSource() {
        return proxy(XADataSource.class, delegate, (m, result) -> m.getName().equals("getXAConnection")
                ? proxy(XAConnection.class, result, (m2, r2) -> m2.getName().equals("getXAResource") ? resource((XAResource) r2) : r2)
                : result);
    }

    private XAResource resource(XAResource real) {
        return (XAResource) Proxy.newProxyInstance(XAResource.class.getClassLoader(), new Class<?>[] {XAResource.class}, (p, m, args) -> {
            if (m.getName().equals("commit") && !(Boolean) args[1] && armed.compareAndSet(true, false)) {
                failed.incrementAndGet();
                XAException e = new XAException("injected: the commit of " + args[0] + " did not reach the database");
                e.errorCode = XAException.XAER_RMFAIL;
                throw e;
            }
            return invoke(real, m, args);
        });
    }

    private interface Wrap {
        Object apply(Method m, Object result);
    }

    private static <T> T proxy(Class<T> type, Object target, Wrap wrap) {
        InvocationHandler h = (p, m, args) -> wrap.apply(m, invoke(target, m, args));
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
