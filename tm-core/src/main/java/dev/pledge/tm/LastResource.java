package dev.pledge.tm;

import javax.transaction.xa.XAResource;

/**
 * Marks a non-XA resource (a local JDBC transaction, say) adapted to {@link XAResource} so it can
 * take part as the transaction's single last resource.
 * <p>
 * Pledge prepares every XA branch first, then commits the last resource in one phase; its outcome
 * decides the rest. {@code prepare} is never called on it and recovery never sees it. At most one
 * last resource may be enlisted per transaction. Like every last-resource scheme, a crash between
 * the last resource's commit and the commit record leaves the XA branches to be rolled back.
 */
public interface LastResource extends XAResource {
}
