package dev.pledge.xa.lock;

import dev.pledge.tm.InDoubtListener;
import dev.pledge.tm.InDoubtListeners;
import dev.pledge.tm.PledgeXAResource;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.Xid;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional locks on business keys (an account, an order): a lock taken inside a JTA
 * transaction is held until that transaction commits or rolls back (strict two-phase locking),
 * and the lock table takes part in two-phase commit as an XA resource named {@link #name()}.
 * <p>
 * "Until it commits" means until every branch has its outcome. The lock branch's own phase two
 * changes nothing (committed, its keys stay in the durable prepared record), and the locks are
 * released in the transaction's {@code afterCompletion}, so the next holder of a key sees the
 * database writes of the last one committed, whatever the enlistment order. When a branch's
 * phase two fails and is left to recovery (Pledge's transaction manager says so through
 * {@link InDoubtListener}), the keys are not released after completion: they stay in the
 * prepared record (persistent nodes on ZooKeeper, a file with a durable directory) until
 * recovery has committed every branch, and recovery's commit of a lock branch, after a crash,
 * holds the keys the same way. A crash before the decision frees the keys of an in-memory table
 * (or of an unprepared transaction on ZooKeeper, with its session); prepared ones wait for
 * recovery. A rollback ({@link #recoveryResource()}'s included) releases at once, and so does a
 * one-phase commit, where the locks are the only branch. With another transaction manager than
 * Pledge's, nobody tells of branches in doubt, and the keys go after completion.
 * <p>
 * Releases are guaranteed: one that fails (ZooKeeper unreachable) is retried in the background
 * until it succeeds, the keys held meanwhile ({@link #metrics()}).
 * <p>
 * Requests are granted per key in arrival order, are re-entrant within a transaction, wait at
 * most a timeout ({@link LockTimeoutException}), and deadlocks among this process's
 * transactions are broken by aborting the youngest ({@link LockDeadlockException}). Every grant
 * carries a fencing token for the protected resource, larger than every earlier grant of the same
 * key: on ZooKeeper the request node's czxid; in-process a counter that starts from the clock and,
 * with {@link Builder#durableDirectory(Path)}, above a high-water mark kept on disk (without one, a
 * clock stepped back across a restart can repeat tokens). A transaction's requests stop when it
 * starts to complete: a request still waiting on another thread of it is cancelled before its
 * prepare vote ({@link LockException}), and nothing is granted to it afterwards.
 * <p>
 * Two backends: {@link Builder#inProcess()} (this JVM only; with
 * {@link Builder#durableDirectory(Path)} prepared locks survive a crash) and
 * {@link Builder#zooKeeper(CuratorFramework, String)} (across JVMs and machines). For crash
 * recovery register {@link #recoveryResource()} under {@link #name()}:
 * {@code svc.recovery().register(locks.name(), locks::recoveryResource)}.
 */
public final class LockService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LockService.class);

    private final String name;
    private final TransactionManager tm;
    private final LockBackend backend;
    private final Duration defaultTimeout;
    private final ConcurrentHashMap<Transaction, LockBranch> branches = new ConcurrentHashMap<>();
    private final AtomicLong ages = new AtomicLong();
    private final LockRecoveryResource recoveryResource;
    private final GuaranteedRelease releases;
    private final Object enlistLock = new Object();
    /** Pledge's transaction manager tells of branches left to recovery; null for another transaction manager. */
    private final InDoubtListeners inDoubtSource;
    private final InDoubtListener inDoubtListener = new InDoubtListener() {
        @Override
        public void leftToRecovery(byte[] gtrid) {
            inDoubt.add(Owner.of(gtrid, 0).id());
        }

        @Override
        public void completedByRecovery(byte[] gtrid) {
            String id = Owner.of(gtrid, 0).id();
            inDoubt.remove(id);
            Xid held = heldForRecovery.remove(id);
            if (held != null) {
                log.info("Lock service '{}': recovery completed {}; releasing its locks", name, Xids.encode(held));
                releases.release(held);
            }
        }
    };
    /** Transactions (gtrid hex) that committed with branches left to recovery, until recovery completes them. */
    private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
    /** The lock branches kept (prepared record and keys) until recovery completes their transaction, by gtrid hex. */
    private final ConcurrentHashMap<String, Xid> heldForRecovery = new ConcurrentHashMap<>();

    private LockService(String name, TransactionManager tm, LockBackend backend, Duration defaultTimeout) {
        this.name = name;
        this.tm = tm;
        this.backend = backend;
        this.defaultTimeout = defaultTimeout;
        this.releases = new GuaranteedRelease(name, backend);
        this.recoveryResource = new LockRecoveryResource(name, backend, this::holdForRecovery);
        this.inDoubtSource = tm instanceof InDoubtListeners l ? l : null;
        if (inDoubtSource != null) {
            inDoubtSource.addInDoubtListener(inDoubtListener);
        }
    }

    /**
     * Called by the lock branch after completion: true (and the keys are kept) when the transaction
     * has branches left to recovery; they are released when recovery completes it.
     */
    boolean heldUntilRecoveryCompletes(Xid xid) {
        String id = Xids.gtridHex(xid);
        if (!inDoubt.contains(id)) {
            return false;
        }
        heldForRecovery.put(id, xid);
        log.warn("Lock service '{}': {} committed with branches left to recovery; its locks stay held until recovery completes it",
                name, Xids.encode(xid));
        return true;
    }

    /** Recovery commits a prepared lock branch: its keys are held until recovery completes the transaction, if we will be told. */
    private boolean holdForRecovery(Xid xid) {
        if (inDoubtSource == null) {
            return false;
        }
        heldForRecovery.put(Xids.gtridHex(xid), xid);
        return true;
    }

    /** Starts a builder for a lock service in transactions of {@code tm}; default: in-process, name "locks", 30 s waits. */
    public static Builder builder(TransactionManager tm) {
        return new Builder(tm);
    }

    /** An in-process lock service named "locks" that lives and dies with this JVM. */
    public static LockService inProcess(TransactionManager tm) {
        return builder(tm).build();
    }

    /** The XA resource name, also the name to register for recovery. */
    public String name() {
        return name;
    }

    /** Locks {@code key} exclusively for the current transaction, waiting at most the default timeout. */
    public LockGrant lock(String key) {
        return lock(key, LockMode.EXCLUSIVE);
    }

    /** Locks {@code key} in {@code mode} for the current transaction, waiting at most the default timeout. */
    public LockGrant lock(String key, LockMode mode) {
        return tryLock(key, mode, defaultTimeout);
    }

    /** Locks {@code key} exclusively, waiting at most {@code timeout}; throws {@link LockTimeoutException} past it. */
    public LockGrant tryLock(String key, Duration timeout) {
        return tryLock(key, LockMode.EXCLUSIVE, timeout);
    }

    /**
     * Locks {@code key} in {@code mode} for the current transaction, waiting at most
     * {@code timeout} (zero: only if free now).
     *
     * @throws IllegalStateException outside a transaction, or in one that can no longer do work
     * @throws LockTimeoutException the wait ran out
     * @throws LockDeadlockException this transaction was chosen as a deadlock victim (now rollback-only)
     * @throws LockException the backend failed, or the transaction ended while waiting
     */
    public LockGrant tryLock(String key, LockMode mode, Duration timeout) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(timeout, "timeout");
        Transaction tx = currentTransaction(key);
        LockBranch branch = branchOf(tx, key);
        Owner owner = branch.owner();
        LockGrant grant;
        try {
            grant = backend.acquire(owner, key, mode, Math.max(0, timeout.toNanos()));
        } catch (LockDeadlockException e) {
            try {
                tx.setRollbackOnly();
            } catch (IllegalStateException | SystemException x) {
                e.addSuppressed(x);
            }
            throw e;
        }
        if (branch.finished()) {
            // the transaction ended (a timeout rolled it back) while this thread waited
            releases.release(branch.xid());
            throw new LockException("Transaction " + owner + " ended while waiting for a " + mode + " lock on '" + key + "'");
        }
        return grant;
    }

    /**
     * The resource recovery uses to list prepared lock branches and release them; register it
     * with {@code svc.recovery().register(locks.name(), locks::recoveryResource)}.
     */
    public PledgeXAResource recoveryResource() {
        return recoveryResource;
    }

    /** Releases that are waiting for the backend to come back, and how many attempts failed. */
    public LockMetrics metrics() {
        return releases.metrics();
    }

    /** Closes the backend (the ZooKeeper client stays open: it belongs to the caller). */
    @Override
    public void close() {
        if (inDoubtSource != null) {
            inDoubtSource.removeInDoubtListener(inDoubtListener);
        }
        releases.close();
        backend.close();
    }

    LockBackend backend() {
        return backend;
    }

    private Transaction currentTransaction(String key) {
        Transaction tx;
        int status;
        try {
            tx = tm.getTransaction();
            status = tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
        } catch (SystemException e) {
            throw new LockException("Cannot find the current transaction", e);
        }
        if (tx == null || status == Status.STATUS_NO_TRANSACTION) {
            throw new IllegalStateException("Lock service '" + name + "': lock('" + key + "') needs a transaction on this thread, and there is"
                    + " none; locks are held until the transaction ends, so call it between begin() and commit()");
        }
        if (status != Status.STATUS_ACTIVE) {
            throw new IllegalStateException("Lock service '" + name + "': cannot lock '" + key + "' in a transaction that is "
                    + statusName(status));
        }
        return tx;
    }

    private LockBranch branchOf(Transaction tx, String key) {
        LockBranch existing = branches.get(tx);
        if (existing != null) {
            return existing;
        }
        synchronized (enlistLock) {
            existing = branches.get(tx);
            if (existing != null) {
                return existing;
            }
            LockBranch b = new LockBranch(this, backend, releases, ages.incrementAndGet());
            try {
                // registered first, so that a branch enlisted is always released; afterCompletion runs after every
                // branch's phase two (this service sees only the TransactionManager, so a regular synchronization)
                tx.registerSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        branches.remove(tx, b);
                        b.afterCompletion();
                    }
                });
                if (!tx.enlistResource(b)) {
                    throw new LockException("Transaction " + tx + " refused to enlist lock service '" + name + "'");
                }
            } catch (RollbackException e) {
                throw new IllegalStateException("Lock service '" + name + "': cannot lock '" + key + "' in a transaction marked rollback-only", e);
            } catch (SystemException e) {
                throw new LockException("Lock service '" + name + "' could not enlist in transaction " + tx, e);
            }
            branches.put(tx, b);
            return b;
        }
    }

    private static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_MARKED_ROLLBACK -> "marked rollback-only";
            case Status.STATUS_PREPARING, Status.STATUS_PREPARED -> "preparing to commit";
            case Status.STATUS_COMMITTING, Status.STATUS_COMMITTED -> "committing";
            case Status.STATUS_ROLLING_BACK, Status.STATUS_ROLLEDBACK -> "rolling back";
            default -> "in status " + status;
        };
    }

    /** Configures a {@link LockService}. */
    public static final class Builder {
        private final TransactionManager tm;
        private String name = "locks";
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private Path durableDirectory;
        private CuratorFramework zooKeeper;
        private String basePath;

        private Builder(TransactionManager tm) {
            this.tm = Objects.requireNonNull(tm, "transactionManager");
        }

        /** Resource name in the log and for recovery; default "locks". Services sharing a ZooKeeper path must share the name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How long {@link LockService#lock(String)} waits; default 30 s. */
        public Builder defaultTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("defaultTimeout must not be negative: " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /** The in-process backend (the default). */
        public Builder inProcess() {
            this.zooKeeper = null;
            return this;
        }

        /**
         * In-process backend only: keep prepared locks in small files under {@code dir}, so that
         * after a crash they hold their keys until recovery commits or rolls back the branch.
         * Without it the lock table lives and dies with the JVM.
         */
        public Builder durableDirectory(Path dir) {
            this.durableDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * The ZooKeeper backend, on a started Curator client that the caller owns, with lock
         * nodes under {@code basePath} (e.g. {@code /pledge/locks}); the service name is appended.
         * Curator is an optional dependency of pledge-xa-lock: the application adds
         * {@code org.apache.curator:curator-framework} to use this backend.
         */
        public Builder zooKeeper(CuratorFramework client, String basePath) {
            this.zooKeeper = Objects.requireNonNull(client, "client");
            this.basePath = Objects.requireNonNull(basePath, "basePath");
            return this;
        }

        public LockService build() {
            LockBackend backend;
            if (zooKeeper != null) {
                if (durableDirectory != null) {
                    throw new IllegalStateException("durableDirectory is for the in-process backend; ZooKeeper keeps prepared locks itself");
                }
                backend = new ZooKeeperLockBackend(zooKeeper, ZooKeeperLockBackend.join(basePath, name));
            } else {
                try {
                    backend = new InProcessLockBackend(durableDirectory == null ? null : new PreparedStore(durableDirectory));
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot use " + durableDirectory + " for prepared locks", e);
                }
            }
            log.info("Lock service '{}' started ({})", name, zooKeeper != null ? "ZooKeeper " + ZooKeeperLockBackend.join(basePath, name)
                    : durableDirectory != null ? "in-process, prepared locks in " + durableDirectory : "in-process, memory only");
            return new LockService(name, tm, backend, defaultTimeout);
        }
    }
}
