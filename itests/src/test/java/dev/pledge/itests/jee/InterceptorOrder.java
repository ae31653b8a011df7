package dev.pledge.itests.jee;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InterceptorBinding;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Two interceptors around a {@code @Transactional} method, one just below and one just above the
 * documented priority of Pledge's ({@code PLATFORM_BEFORE + 200}): each records the transaction
 * status it sees (in {@link ScopeEvents}), so a test can tell which one runs outside and which inside the transaction.
 */
public final class InterceptorOrder {
    private InterceptorOrder() {
    }

    /** Binds both recording interceptors. */
    @InterceptorBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Watched {
    }

    /** Records the status, then proceeds. */
    abstract static class Recorder {
        @Inject
        TransactionManager tm;
        @Inject
        ScopeEvents seen;

        Object record(String who, InvocationContext ctx) throws Exception {
            seen.add(who + " status " + tm.getStatus());
            return ctx.proceed();
        }
    }

    /** Priority just below Pledge's: runs first, outside the transaction. */
    @Watched
    @Interceptor
    @Priority(Interceptor.Priority.PLATFORM_BEFORE + 199)
    public static class Before extends Recorder {
        @AroundInvoke
        Object around(InvocationContext ctx) throws Exception {
            return record("before", ctx);
        }
    }

    /** Priority just above Pledge's: runs second, inside the transaction. */
    @Watched
    @Interceptor
    @Priority(Interceptor.Priority.PLATFORM_BEFORE + 201)
    public static class After extends Recorder {
        @AroundInvoke
        Object around(InvocationContext ctx) throws Exception {
            return record("after", ctx);
        }
    }

    /** A bean whose {@code @Transactional} method has both recorders around it. */
    @ApplicationScoped
    public static class Watching {
        @Inject
        TransactionManager tm;

        @Watched
        @Transactional
        public int status() throws Exception {
            return tm.getStatus();
        }
    }
}
