package dev.pledge.tm;

import javax.transaction.xa.XAResource;

/**
 * An {@link XAResource} that tells Pledge its name and whether its branches may be joined.
 * <p>
 * The name is written into the recovery log next to each branch, so recovery can tell which
 * registered resource must finish it. Resources whose server rejects {@code XA START … JOIN}
 * (MariaDB, PostgreSQL on another connection) answer {@code false} from {@link #joinable()} and
 * always get a branch of their own, whatever {@code isSameRM} says.
 */
public interface PledgeXAResource extends XAResource {

    /** The name this resource is registered under with {@code svc.recovery()}. */
    String resourceName();

    /** Whether a second enlistment on the same resource manager may join this branch. */
    default boolean joinable() {
        return true;
    }

    /**
     * Gives a plain {@link XAResource} a name for the log and recovery. Register the same name
     * with {@code svc.recovery()} so recovery can finish its branches after a crash.
     */
    static PledgeXAResource named(String resourceName, boolean joinable, XAResource delegate) {
        return new NamedXAResource(resourceName, joinable, delegate, null);
    }

    /**
     * As {@link #named(String, boolean, XAResource)}, for a recovery supplier: the result is
     * {@link AutoCloseable}, and recovery's close after the pass runs {@code onClose} (closing the
     * connection the resource came from, say).
     */
    static PledgeXAResource named(String resourceName, boolean joinable, XAResource delegate, AutoCloseable onClose) {
        return new NamedXAResource(resourceName, joinable, delegate, onClose);
    }
}
