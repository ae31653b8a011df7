package dev.pledge.itests;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * Test probe: wraps a driver's XA data source and records the flags of every
 * {@code XAResource.start} its connections receive, without changing any answer (isSameRM is
 * answered by the driver about the real resources, so a transaction manager that trusts it is
 * tempted to join exactly as it would be without the probe).
 */
final class XaCallRecorder {
    final List<Integer> startFlags = new CopyOnWriteArrayList<>();

    XADataSource wrap(XADataSource real) {
        return proxy(XADataSource.class, real, (method, args) -> {
            Object result = method.invoke(real, args);
            return result instanceof XAConnection c ? wrapConnection(c) : result;
        });
    }

    private XAConnection wrapConnection(XAConnection real) {
        return proxy(XAConnection.class, real, (method, args) -> {
            Object result = method.invoke(real, args);
            return result instanceof XAResource r ? wrapResource(r) : result;
        });
    }

    private XAResource wrapResource(XAResource real) {
        return proxy(XAResource.class, real, (method, args) -> {
            if (method.getName().equals("start")) {
                startFlags.add((Integer) args[1]);
            }
            if (method.getName().equals("isSameRM") && args[0] instanceof XAResource other && Proxy.isProxyClass(other.getClass())
                    && Proxy.getInvocationHandler(other) instanceof Forwarding f) {
                return real.isSameRM((XAResource) f.target);
            }
            return method.invoke(real, args);
        });
    }

    @FunctionalInterface
    private interface Call {
        Object call(Method method, Object[] args) throws Exception;
    }

    private record Forwarding(Object target, Call call) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            try {
                return call.call(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Forwarding(target, call)));
    }
}
