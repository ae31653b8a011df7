package dev.pledge.xa.lock;

import java.util.Objects;

/**
 * A lock held by the current transaction until it commits or rolls back.
 * <p>
 * The {@link #fencingToken()} grows with every grant of the service's backend (for one key,
 * a later holder always has a larger token than an earlier one). Pass it to the protected
 * resource with each write; the resource remembers the largest token it has seen and rejects
 * smaller ones, so a holder that lost its lock (a paused JVM, an expired ZooKeeper session)
 * cannot overwrite the work of its successor.
 *
 * @param key the business key locked
 * @param mode the mode held (a re-entrant request answers with the stronger grant it already has)
 * @param fencingToken monotonically increasing per grant, never reused
 */
public record LockGrant(String key, LockMode mode, long fencingToken) {
    public LockGrant {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mode, "mode");
    }
}
