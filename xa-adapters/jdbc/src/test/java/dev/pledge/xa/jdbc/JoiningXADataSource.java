package dev.pledge.xa.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * Test stand-in for a database that joins branches across connections (Oracle, DB2, ...): H2's
 * XA data source whose resources answer {@code isSameRM} true for each other, so Pledge joins a
 * second connection to the first one's branch with {@code TMJOIN}. Records the start flags.
 */
final class JoiningXADataSource {
    final List<Integer> startFlags = new CopyOnWriteArrayList<>();

    XADataSource wrap(XADataSource real) {
        return proxy(XADataSource.class, (m, args) -> {
            Object r = m.invoke(real, args);
            return r instanceof XAConnection c ? connection(c) : r;
        });
    }

    private XAConnection connection(XAConnection real) {
        return proxy(XAConnection.class, (m, args) -> {
            Object r = m.invoke(real, args);
            return r instanceof XAResource x ? resource(x) : r;
        });
    }

    private XAResource resource(XAResource real) {
        return proxy(XAResource.class, (m, args) -> switch (m.getName()) {
            case "isSameRM" -> args[0] != null && Proxy.isProxyClass(args[0].getClass());
            case "start" -> {
                startFlags.add((Integer) args[1]);
                yield m.invoke(real, args);
            }
            default -> m.invoke(real, args);
        });
    }

    @FunctionalInterface
    private interface Call {
        Object call(java.lang.reflect.Method m, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            try {
                return call.call(m, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
