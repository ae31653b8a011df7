package dev.pledge.tm.log.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * A real database's {@link DataSource} that records what the log sends through it: every prepared
 * statement executed (its SQL, once per execute call) and every {@code Connection.commit()}. The
 * calls go to the real driver; the record is what a test asserts on (round trips per batch).
 */
public final class StatementCountingDataSource {
    private final DataSource dataSource;
    private final List<String> sent = new CopyOnWriteArrayList<>();

    public StatementCountingDataSource(DataSource real) {
        this.dataSource = (DataSource) wrap(real, DataSource.class, (m, args, r) -> m.getName().equals("getConnection")
                ? wrap(r, Connection.class, this::onConnection) : r);
    }

    /** The data source to give the log. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** What was sent so far, in order: the SQL of each executed prepared statement, or "COMMIT" for a commit() call. */
    public List<String> sent() {
        return List.copyOf(sent);
    }

    public void clear() {
        sent.clear();
    }

    private Object onConnection(Method m, Object[] args, Object result) {
        if (m.getName().equals("commit")) {
            sent.add("COMMIT");
        }
        if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
            return wrap(result, PreparedStatement.class, (pm, pargs, r) -> {
                if (pm.getName().startsWith("execute") && (pargs == null || pargs.length == 0)) {
                    sent.add(sql);
                }
                return r;
            });
        }
        return result;
    }

    /** What to do after a call has returned {@code result}: the result to hand on. */
    private interface After {
        Object apply(Method m, Object[] args, Object result);
    }

    private static Object wrap(Object target, Class<?> type, After after) {
        InvocationHandler h = (proxy, m, args) -> {
            try {
                return after.apply(m, args, m.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return Proxy.newProxyInstance(StatementCountingDataSource.class.getClassLoader(), new Class<?>[] {type}, h);
    }
}
