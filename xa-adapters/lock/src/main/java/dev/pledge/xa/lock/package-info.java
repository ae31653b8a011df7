/**
 * Transactional locks on business keys, held for exactly as long as the JTA transaction that
 * took them and taking part in two-phase commit as an XA resource.
 * <p>
 * Start with {@link dev.pledge.xa.lock.LockService}:
 * <pre>{@code
 * LockService locks = LockService.builder(svc.transactionManager()).durableDirectory(dir).build();
 * svc.recovery().register(locks.name(), locks::recoveryResource);
 * tm.begin();
 * LockGrant g = locks.lock("account-42");      // waits FIFO, re-entrant
 * accountStore.update(42, delta, g.fencingToken());
 * tm.commit();                                 // releases the lock
 * }</pre>
 * Guarantees: per key, requests are granted in arrival order; exclusive holders never overlap;
 * a branch whose lock was lost (ZooKeeper session expiry) votes rollback at prepare; prepared
 * locks outlive the coordinator (a file per branch for the in-process backend with a durable
 * directory, persistent nodes for ZooKeeper) until recovery commits or rolls the branch back.
 * Not guaranteed: deadlock detection across processes (ZooKeeper waits end in a timeout), and
 * upgrades from shared to exclusive queue behind earlier requests like any other.
 * <p>
 * Artifact {@code dev.pledge:pledge-xa-lock}. The in-process backend needs nothing else; Curator
 * and ZooKeeper are optional dependencies, so an application that uses
 * {@link dev.pledge.xa.lock.LockService.Builder#zooKeeper} adds
 * {@code org.apache.curator:curator-framework} itself.
 */
package dev.pledge.xa.lock;
