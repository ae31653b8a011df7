package dev.pledge.xa.lock;

/**
 * A snapshot of a lock service's background work.
 *
 * @param pendingReleases transactions that have completed but whose keys are not yet released
 *        because the backend failed (ZooKeeper unreachable, a disk error); they are retried in the
 *        background until the release succeeds, and their keys stay held meanwhile
 * @param failedReleaseAttempts releases that failed, first attempts and retries alike, since the service started
 * @param retriedReleases releases that succeeded only on a retry
 */
public record LockMetrics(int pendingReleases, long failedReleaseAttempts, long retriedReleases) {
}
