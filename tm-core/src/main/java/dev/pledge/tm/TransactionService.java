package dev.pledge.tm;

import dev.pledge.tm.log.LogRecords;

import dev.pledge.tm.cluster.ClusterMember;
import dev.pledge.tm.log.ClusterJournal;
import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.db.DatabaseJournal;
import dev.pledge.tm.log.file.FileJournal;

import jakarta.transaction.TransactionManager;
import dev.pledge.tm.trace.TransactionTracer;
import dev.pledge.tm.trace.Tracing;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of a Pledge transaction manager: one recovery log, one node name, and the JTA objects
 * that use them. Build one with {@link #builder()}; several may live in one JVM, each with its own
 * log directory and node name. {@link #close()} stops its background threads and releases the log.
 * <p>
 * The node name is stamped into every Xid, and recovery treats the prepared branches of its node
 * name as its own: it rolls back those without a logged decision. So the node name must be unique
 * among the live services that share a resource manager, and a log must always be opened under the
 * name that wrote it. Pledge checks both where it can: a live service claims its node name on the
 * host (an OS lock on {@code ~/.pledge/nodes/<name>.lock}, see {@link Builder#nodeLockDirectory}),
 * and the log directory records the name it belongs to (file {@code node-name}; a different name is
 * refused unless {@link Builder#renamedFrom} says the rename is intended). Across hosts the node
 * name must be unique by configuration.
 * <p>
 * With a {@linkplain Builder#databaseLog database log} the services that share it form a cluster
 * (docs/cluster.md): each holds a lease on its node row, takes over a peer whose lease ran out and
 * finishes its transactions, and {@link #close()} drains ({@link #drain}) so that it leaves nothing
 * behind.
 */
public final class TransactionService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionService.class);

    private final Config config;
    private final Journal journal;
    private final TransactionManagerImpl tm;
    private final UserTransactionImpl ut;
    private final SynchronizationRegistryImpl tsr;
    private final Recovery recovery;
    private final Counters counters = new Counters();
    private final ScheduledExecutorService reaper;
    /** Threads that roll back timed-out transactions: see {@link #newTimeoutWorkers}. */
    private final ThreadPoolExecutor timeoutWorkers;
    private final PhaseRunner phases;
    private final ScheduledExecutorService recoverer;
    private final Metrics metrics;
    private final HealthProbe health;
    private final ObjectName mbeanName;
    /**
     * The services open in this class loader, for frameworks that are made from a class name and must
     * find the running service with nothing to go on (Hibernate's JTA platform). A lookup, not a
     * default: nothing in Pledge uses it to choose a service on the application's behalf when it has several.
     */
    private static final java.util.Set<TransactionService> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<NodeClaim> claims;
    /** This node's part in a cluster on a shared database log; null with the file log. */
    private final ClusterMember cluster;
    /** Set once {@link #drain} ran: {@link #close} does not drain again. */
    private volatile DrainResult drained;
    /** Set when a drain starts: recovery passes from then on take no peer over. */
    private volatile boolean draining;

    private TransactionService(Config config, Journal journal, List<NodeClaim> claims, List<String> ownNames, TransactionTracer tracer) {
        this.config = config;
        this.journal = journal;
        this.claims = claims;
        XidFactory xids = new XidFactory(config.nodeName());
        this.phases = config.parallelPhases() ? PhaseRunner.parallel(config.nodeName()) : PhaseRunner.sequential();
        this.tm = new TransactionManagerImpl(journal, xids, (int) Math.max(1, config.defaultTimeout().toSeconds()), counters, phases, tracer);
        this.ut = new UserTransactionImpl(tm);
        this.tsr = new SynchronizationRegistryImpl(tm);
        boolean background = !config.recoveryInterval().isZero();
        this.recoverer = background ? Executors.newSingleThreadScheduledExecutor(daemon("pledge-recovery-" + config.nodeName())) : null;
        List<byte[]> own = new ArrayList<>();
        for (String n : ownNames) {
            own.add(n.getBytes(StandardCharsets.UTF_8));
        }
        this.recovery = new Recovery(tm, journal, own, this::scheduleSoonPass, tracer);
        this.cluster = journal instanceof ClusterJournal cj ? new ClusterMember(cj, this::adoptedNodePass) : null;
        if (cluster != null) {
            ClusterMember member = cluster;
            recovery.afterEveryPass(() -> {
                if (drained == null && !draining) {
                    member.pass(); // not while draining: a draining node hands over, it adopts nobody
                }
            });
        }
        this.health = new HealthProbe(config.nodeName(), journal, tm, recovery);
        this.metrics = new Metrics(counters, journal, tm, health, cluster);
        this.mbeanName = registerMBean(config.nodeName(), metrics);
        this.timeoutWorkers = newTimeoutWorkers(config.nodeName());
        this.reaper = Executors.newSingleThreadScheduledExecutor(daemon("pledge-reaper-" + config.nodeName()));
        long reapMillis = config.reaperInterval().toMillis();
        reaper.scheduleWithFixedDelay(this::reap, reapMillis, reapMillis, TimeUnit.MILLISECONDS);
        if (background) {
            long every = config.recoveryInterval().toMillis();
            recoverer.scheduleWithFixedDelay(this::backgroundPass, every, every, TimeUnit.MILLISECONDS);
        }
        log.info("Pledge transaction service '{}' started; log {}{}", config.nodeName(),
                journal instanceof DatabaseJournal d ? "in database " + d.url() + " (tables " + config.databaseLogTablePrefix() + "*)"
                        : config.logDescription(),
                config.fsync() || config.databaseLog() != null ? "" : " (UNSAFE: fsync disabled)");
    }

    /** Starts a builder with embedded defaults: node name = host name, log in {@code ./pledge-log}, 60 s timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** The JTA transaction manager (thread association, suspend/resume). */
    public TransactionManager transactionManager() {
        return tm;
    }

    /** The JTA user transaction for application code. */
    public UserTransaction userTransaction() {
        return ut;
    }

    /** The JTA synchronization registry for frameworks (Hibernate, CDI). */
    public TransactionSynchronizationRegistry synchronizationRegistry() {
        return tsr;
    }

    /** Registration of resources for crash recovery, and on-demand passes. */
    public Recovery recovery() {
        return recovery;
    }

    /** The services built and not yet closed in this class loader, in no particular order. */
    public static java.util.List<TransactionService> openServices() {
        return java.util.List.copyOf(OPEN);
    }

    /** This service's node name, stamped into every Xid it makes. */
    public String nodeName() {
        return config.nodeName();
    }

    /** Live counters; also registered with JMX as {@code dev.pledge:type=TransactionService,node=<node>}. */
    public TransactionMetricsMXBean metrics() {
        return metrics;
    }

    /**
     * A view of the service's health: whether the log can write decisions (and why not), fencing,
     * decisions in doubt, heuristic outcomes awaiting an operator, the last recovery pass and the
     * transactions in flight. Never throws; JMX and Micrometer show the same figures.
     */
    public Health health() {
        return health.take();
    }

    private static ObjectName registerMBean(String node, Metrics metrics) {
        try {
            ObjectName name = new ObjectName("dev.pledge:type=TransactionService,node=" + ObjectName.quote(node));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                log.warn("JMX name {} is taken (another service with node name '{}' in this JVM); metrics of this one are not in JMX", name, node);
                return null;
            }
            server.registerMBean(metrics, name);
            return name;
        } catch (JMException e) {
            log.warn("Could not register the metrics MBean: {}", e.toString());
            return null;
        }
    }

    Journal journal() {
        return journal;
    }

    Counters counters() {
        return counters;
    }

    TransactionManagerImpl manager() {
        return tm;
    }

    /**
     * The timeout reaper, on its own thread: hands every transaction past its deadline, once, to the timeout workers,
     * which take it and roll it back. It makes no XA call and takes no transaction's monitor (enlist and delist hold
     * it during their XA call), so a resource that hangs in one transaction delays no other transaction's timeout.
     */
    private void reap() {
        long now = System.nanoTime();
        try {
            for (TransactionImpl tx : tm.liveTransactions()) {
                if (!tx.handedToTimeoutWorker && now - tx.deadlineNanos >= 0) {
                    try {
                        timeoutWorkers.execute(new TimeoutRollback(tx));
                        tx.handedToTimeoutWorker = true;
                    } catch (RejectedExecutionException closing) {
                        return; // the service is closing: running transactions are left to recovery
                    }
                }
            }
        } catch (RuntimeException e) {
            log.error("Timeout reaper failed", e);
        }
    }

    /**
     * Up to {@value #TIMEOUT_WORKERS} daemon threads ({@code pledge-timeout-<node>-<n>}) that roll back timed-out
     * transactions, one transaction per task, with an unbounded queue behind them. Threads are made on demand and
     * leave after 30 s idle, so a service whose transactions never time out has none. A resource that hangs occupies
     * one thread; only when every one of them hangs do further timed-out transactions wait in the queue, and until a
     * thread takes one it is not yet marked timed out (its application may still commit it).
     */
    private static ThreadPoolExecutor newTimeoutWorkers(String nodeName) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(TIMEOUT_WORKERS, TIMEOUT_WORKERS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pledge-timeout-" + nodeName + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static final int TIMEOUT_WORKERS = 8;

    /** One timed-out transaction's rollback: takes the transaction unless it is already preparing or rolling back. */
    private static final class TimeoutRollback implements Runnable {
        final TransactionImpl tx;

        TimeoutRollback(TransactionImpl tx) {
            this.tx = tx;
        }

        @Override
        public void run() {
            try {
                if (tx.takeForTimeout()) {
                    tx.rollbackAfterTimeout();
                }
            } catch (RuntimeException | Error e) {
                log.error("Rolling back timed-out transaction {} failed", tx.gtrid, e);
            }
        }
    }

    private void scheduleSoonPass() {
        if (recoverer != null && !recoverer.isShutdown()) {
            try {
                recoverer.schedule(this::backgroundPass, 1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("Not scheduling a recovery pass: service '{}' is closing", config.nodeName());
            }
        }
    }

    private void backgroundPass() {
        try {
            recovery.runPass();
        } catch (RuntimeException e) {
            log.error("Recovery pass failed", e);
        }
        // the cluster round (takeover of peers) runs after every pass: Recovery#afterEveryPass
    }

    /**
     * A recovery pass over an adopted node's log with this service's registered resources; true when
     * it left nothing in doubt. Without a registered resource nothing can be proven: never true.
     */
    private java.util.function.BooleanSupplier adoptedNodePass(ClusterJournal adopted) {
        Recovery r = recovery.forAdoptedNode(adopted, adopted.nodeName());
        return () -> recovery.hasResources() && r.runPass().isClean();
    }

    /**
     * Drains this service, for a scale-down or a shutdown: it begins no new transaction from now on,
     * waits for the transactions in flight to end, then runs recovery passes until nothing of this node
     * is in doubt, all within {@code timeout}. With a database log it then ends its lease: when nothing
     * is left it deletes its node row (nobody takes it over), otherwise the lease ends at once so that
     * a peer takes over what is left without waiting for the lease to run out; nodes it had adopted are
     * handed over the same way. Call {@link #close()} afterwards to stop its threads; {@code close()}
     * drains by itself with a database log ({@link Builder#drainTimeout}).
     *
     * @return what was left when it stopped
     */
    public synchronized DrainResult drain(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (drained != null) {
            return drained;
        }
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        draining = true;
        tm.refuseNew("service '" + config.nodeName() + "' is draining or closed (drain() or close() was called); it begins no new"
                + " transaction");
        if (recoverer != null) {
            recoverer.shutdownNow(); // passes from here on run on this thread
        }
        while (!tm.liveTransactions().isEmpty() && System.nanoTime() - deadline < 0) {
            pause(20);
        }
        int inFlight = tm.liveTransactions().size();
        int pendingBranches = 0;
        if (!journal.fenced()) {
            long backoff = 50;
            int idlePasses = 0;
            String before = null;
            while (true) {
                String after;
                try {
                    RecoveryReport r = recovery.runPass();
                    pendingBranches = r.pending();
                    if (r.isClean() && journal.pendingCommits().isEmpty() && journal.heuristics().isEmpty()) {
                        pendingBranches = 0;
                        break;
                    }
                    after = r.committed() + r.rolledBack() > 0 ? null
                            : r.pending() + "/" + journal.pendingCommits().size() + "/" + journal.heuristics().size();
                } catch (RuntimeException e) {
                    log.warn("Draining '{}': recovery pass failed: {}", config.nodeName(), e.toString());
                    pendingBranches = Math.max(pendingBranches, 1);
                    after = "failed";
                }
                // passes that change nothing (a resource not registered, down, or a heuristic outcome): hand over rather than wait
                idlePasses = after != null && after.equals(before) ? idlePasses + 1 : 0;
                before = after;
                if (System.nanoTime() - deadline >= 0 || idlePasses >= MAX_IDLE_DRAIN_PASSES) {
                    break;
                }
                pause(Math.min(backoff, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                backoff = Math.min(1000, backoff * 2);
            }
        }
        List<String> inDoubt = journal.pendingCommits().stream().map(c -> c.gtrid().toString()).toList();
        int heuristics = journal.heuristics().size();
        boolean handedOver = false;
        if (cluster != null) {
            cluster.handOver(); // the nodes it adopted: their leases end at once
        }
        if (cluster != null && !journal.fenced()) {
            ClusterJournal cj = (ClusterJournal) journal;
            if (inFlight == 0 && pendingBranches == 0) {
                handedOver = !cj.retire(); // nothing left: the rows go; else the lease ends at once
            } else {
                // transactions still running or branches pending: never delete the row (a peer must find them); end the lease now
                cj.close();
                handedOver = true;
            }
        }
        DrainResult result = new DrainResult(inFlight, inDoubt, heuristics, pendingBranches, handedOver);
        log.info("Pledge transaction service '{}' drained: {}", config.nodeName(), result);
        drained = result;
        return result;
    }

    /** Recovery passes in a row that change nothing after which a drain stops waiting and hands over what is left. */
    private static final int MAX_IDLE_DRAIN_PASSES = 3;

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * With a database log, first drains ({@link #drain} with {@link Builder#drainTimeout}), so that a
     * scaled-down node leaves nothing for a peer to take over. Then stops the reaper, the timeout
     * workers and the threads of parallel phases (after their calls in flight return, for at most 10 s
     * each), background recovery, and releases the log. With the file log, transactions still running
     * are left to recovery (call {@link #drain} first to finish them).
     */
    @Override
    public void close() {
        if (cluster != null && drained == null) {
            drain(config.drainTimeout());
        }
        OPEN.remove(this);
        reaper.shutdownNow();
        try {
            reaper.awaitTermination(10, TimeUnit.SECONDS); // no more hand-offs to the timeout workers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeTimeoutWorkers();
        if (recoverer != null) {
            recoverer.shutdownNow();
            try {
                recoverer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        phases.close();
        journal.close();
        claims.forEach(NodeClaim::close);
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException e) {
                log.debug("unregistering {} failed", mbeanName, e);
            }
        }
        log.info("Pledge transaction service '{}' closed", config.nodeName());
    }

    /**
     * Lets the timeout rollbacks in flight and queued finish (10 s at most). A queued one that never ran has not taken
     * its transaction: nobody waits for it, and the transaction is left to recovery like every other running one.
     */
    private void closeTimeoutWorkers() {
        timeoutWorkers.shutdown();
        try {
            if (timeoutWorkers.awaitTermination(10, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> neverRan = timeoutWorkers.shutdownNow();
        log.warn("Closing service '{}': timed-out transactions still rolling back after 10 s; {} more not taken",
                config.nodeName(), neverRan.size());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Collects the configuration; {@link #build()} validates it, opens the log and runs a first recovery pass. */
    public static final class Builder {
        private String nodeName;
        private Path logDirectory = Path.of("pledge-log");
        private boolean logDirectorySet;
        private DataSource databaseLog;
        private String databaseLogTablePrefix = DatabaseJournal.DEFAULT_TABLE_PREFIX;
        private Duration databaseLogLease = DatabaseJournal.DEFAULT_LEASE;
        private boolean leaseDurationSet;
        private Duration drainTimeout = Duration.ofSeconds(20);
        private Duration defaultTimeout = Duration.ofSeconds(60);
        private Duration recoveryInterval = Duration.ofMinutes(2);
        private Duration reaperInterval = Duration.ofMillis(100);
        private boolean fsync = true;
        private boolean parallelPhases;
        private long logSegmentBytes = FileJournal.DEFAULT_SEGMENT_BYTES;
        private Function<Config, Journal> journals = c -> c.databaseLog() != null
                ? DatabaseJournal.open(c.databaseLog(), c.databaseLogTablePrefix(), c.nodeName(), c.databaseLogLease())
                : FileJournal.open(c.logDirectory(), c.fsync(), logSegmentBytes);
        private boolean fileLog = true;
        private final Set<String> renamedFrom = new LinkedHashSet<>();
        private Path nodeLockDirectory;
        private final java.util.LinkedHashMap<String, Supplier<? extends XAResource>> recoveryResources = new java.util.LinkedHashMap<>();
        private io.opentelemetry.api.OpenTelemetry openTelemetry;

        private Builder() {
        }

        /**
         * Identity stamped into every Xid (at most 47 bytes of UTF-8); default: the host name. It must stay
         * the same across restarts on one log (the log records it; see {@link #renamedFrom}) and be unique
         * among the live services that share a resource manager: a live service claims it on this host
         * ({@link #nodeLockDirectory}), across hosts it is up to the configuration.
         */
        public Builder nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
            return this;
        }

        /** Directory of the recovery log; created with owner-only permissions. Default {@code ./pledge-log}. */
        public Builder logDirectory(Path logDirectory) {
            this.logDirectory = Objects.requireNonNull(logDirectory, "logDirectory");
            this.logDirectorySet = true;
            return this;
        }

        /**
         * Keeps the recovery log in a database instead of a directory: {@code dataSource} is a plain
         * (not XA) DataSource of PostgreSQL, MariaDB/MySQL or H2, from which Pledge takes connections
         * of its own (never enlisted in transactions, never handed to the application). The tables are
         * created when absent. Exclusive with {@link #logDirectory}.
         */
        public Builder databaseLog(DataSource dataSource) {
            this.databaseLog = Objects.requireNonNull(dataSource, "databaseLog");
            return this;
        }

        /** Prefix of the database log's table names (letters, digits, '_'); default {@code pledge_}. */
        public Builder databaseLogTablePrefix(String prefix) {
            this.databaseLogTablePrefix = Objects.requireNonNull(prefix, "databaseLogTablePrefix");
            return this;
        }

        /**
         * With a database log: how long this node's row stays held after its last renewal (renewed
         * every third of it, judged by the database's clock); default 30 s, at least 300 ms. A peer
         * takes a node over once its lease has run out, so a dead node's branches are resolved within
         * this plus one {@link #recoveryInterval}. Refused with the file log, which has no lease.
         */
        public Builder leaseDuration(Duration lease) {
            this.databaseLogLease = Objects.requireNonNull(lease, "leaseDuration");
            this.leaseDurationSet = true;
            return this;
        }

        /** Former name of {@link #leaseDuration}. */
        Builder databaseLogLease(Duration lease) {
            return leaseDuration(lease);
        }

        /**
         * With a database log, how long {@link TransactionService#close()} drains at most (see
         * {@link TransactionService#drain}); default 20 s. Keep a container's shutdown grace period
         * longer. What is not finished by then is handed over to a peer at once.
         */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "drainTimeout");
            return this;
        }

        /**
         * Size of each segment file of the file log, preallocated (zero-filled) in full, and of the next
         * one being prepared: the log takes about twice this on disk. Default 16 MiB; from
         * {@value FileJournal#MIN_SEGMENT_BYTES} bytes (1 MiB, for test suites that make a log per test)
         * to 1 GiB. A smaller segment rolls over more often, and each roll-over writes and forces a
         * checkpoint of the decisions still in doubt, so keep the default where throughput matters.
         */
        public Builder logSegmentSize(long bytes) {
            if (bytes < FileJournal.MIN_SEGMENT_BYTES || bytes > FileJournal.MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("logSegmentSize must be " + FileJournal.MIN_SEGMENT_BYTES + " to "
                        + FileJournal.MAX_SEGMENT_BYTES + " bytes, not " + bytes);
            }
            this.logSegmentBytes = bytes;
            return this;
        }

        /**
         * Timeout of transactions whose thread set none; default 60 s. Kept in whole seconds, JTA's unit (rounded down,
         * at least 1 s). A transaction past its timeout that has not
         * started to prepare (its {@code commit()} may still be in beforeCompletion) is rolled back on one of the
         * service's timeout threads; {@code commit()} on its own thread then throws RollbackException once that
         * rollback has finished.
         */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = Objects.requireNonNull(timeout, "defaultTimeout");
            return this;
        }

        /** Period of background recovery passes; default 2 minutes. {@link Duration#ZERO} disables them. */
        public Builder recoveryInterval(Duration interval) {
            this.recoveryInterval = Objects.requireNonNull(interval, "recoveryInterval");
            return this;
        }

        /** A resource recovered by the first pass, inside {@link #build()}; same as registering it afterwards. */
        public Builder recoveryResource(String name, Supplier<? extends XAResource> resource) {
            recoveryResources.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /**
         * UNSAFE: never force the log to disk. A crash of the machine (not only the JVM) can then lose
         * commit decisions and leave branches inconsistent. For tests and benchmarks only.
         */
        public Builder unsafeDisableFsync() {
            this.fsync = false;
            return this;
        }

        /**
         * With two or more XA branches, run their prepares (and then their commits, or rollbacks) at once
         * instead of one after another, on daemon threads of this service ({@code pledge-2pc-<node>-<n>});
         * the decision still waits for every vote. Saves the sum of the resources' round trips minus the
         * slowest one; costs a thread hand-off per extra branch. Default off. Narayana calls this
         * asyncPrepare/asyncCommit, Atomikos threaded two-phase commit.
         */
        public Builder parallelPhases(boolean parallel) {
            this.parallelPhases = parallel;
            return this;
        }

        Builder reaperInterval(Duration interval) {
            this.reaperInterval = interval;
            return this;
        }

        Builder journal(Function<Config, Journal> journals) {
            this.journals = journals;
            this.fileLog = false;
            return this;
        }

        /**
         * Says that this node was renamed on purpose and used to run under {@code formerNames} on the
         * same log: the log's recorded name may be one of them (it is then rewritten to the new name),
         * and recovery treats the Xids and logged decisions of the former names as this node's own, so
         * it finishes the transactions they left. Keep the option until a recovery pass reports clean.
         * Without it, a log written under another name is refused at start. The former names are
         * claimed on this host like the node name.
         */
        public Builder renamedFrom(String... formerNames) {
            for (String n : formerNames) {
                renamedFrom.add(Objects.requireNonNull(n, "renamedFrom"));
            }
            return this;
        }

        /**
         * Directory of the per-host claims on node names: a live service holds an exclusive lock on
         * {@code <directory>/<node-name>.lock}, and a second live service with the same node name (in
         * this JVM or another process of the host) is refused. Default: the system property
         * {@code pledge.nodeLockDirectory}, else {@code ${user.home}/.pledge/nodes}. Services that may
         * share a resource manager must use the same directory.
         */
        public Builder nodeLockDirectory(Path directory) {
            this.nodeLockDirectory = Objects.requireNonNull(directory, "nodeLockDirectory");
            return this;
        }

        /**
         * Traces every transaction and recovery pass through {@code openTelemetry} (spans
         * {@code pledge.transaction}, {@code pledge.prepare}, {@code pledge.commit}, {@code pledge.log.write}, …; see
         * docs/operations.md). A transaction's span is a child of the span current on the thread that begins it.
         * Without this call nothing is traced, and the OpenTelemetry API (an optional dependency) need not be on
         * the class path.
         */
        public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /** Validates, opens the log (failing at once if another service holds it) and runs a first recovery pass. */
        public TransactionService build() {
            // NIO closes a channel that an interrupted thread touches: the node claim, the node-name file and
            // the log are all opened with the interrupt cleared, and the caller gets it back
            boolean interrupted = Thread.interrupted();
            try {
                return buildUninterrupted();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private TransactionService buildUninterrupted() {
            String node = nodeName != null ? nodeName : defaultNodeName();
            checkNodeName("nodeName", node);
            for (String former : renamedFrom) {
                checkNodeName("renamedFrom", former);
            }
            if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be positive, not " + defaultTimeout);
            }
            if (recoveryInterval.isNegative()) {
                throw new IllegalArgumentException("recoveryInterval must be positive, or zero to disable background recovery, not "
                        + recoveryInterval);
            }
            if (databaseLog != null && logDirectorySet) {
                throw new IllegalArgumentException("logDirectory(" + logDirectory + ") and databaseLog(" + databaseLog + ") are both set;"
                        + " a service has one recovery log: set only one of them");
            }
            if (databaseLog == null && leaseDurationSet) {
                throw new IllegalArgumentException("leaseDuration(" + databaseLogLease + ") applies to the database log only"
                        + " (databaseLog(...)); the file log has no lease: remove leaseDuration, or set databaseLog");
            }
            if (drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative, not " + drainTimeout);
            }
            if (databaseLog != null && !fsync) {
                throw new IllegalArgumentException("unsafeDisableFsync() applies to the file log only; the database log always commits");
            }
            Config config = new Config(node, logDirectory, defaultTimeout, recoveryInterval, fsync, reaperInterval, parallelPhases,
                    databaseLog, databaseLogTablePrefix, databaseLogLease, drainTimeout);
            List<String> own = new ArrayList<>();
            own.add(node);
            for (String former : renamedFrom) {
                if (!former.equals(node)) {
                    own.add(former);
                }
            }
            Path lockDir = nodeLockDirectory != null ? nodeLockDirectory : NodeClaim.defaultDirectory();
            List<NodeClaim> claims = new ArrayList<>();
            Journal journal = null;
            TransactionService svc;
            try {
                for (String n : own) {
                    claims.add(NodeClaim.acquire(lockDir, n, logDirectory));
                }
                journal = journals.apply(config);
                if (fileLog && databaseLog == null) {
                    NodeIdentity.check(logDirectory, node, renamedFrom, fsync);
                }
                refuseOtherNodesDecisions(journal, own);
                TransactionTracer tracer = openTelemetry == null ? TransactionTracer.OFF : Tracing.openTelemetry(openTelemetry, node);
                svc = new TransactionService(config, journal, List.copyOf(claims), own, tracer);
            } catch (RuntimeException e) {
                if (journal != null) {
                    journal.close();
                }
                claims.forEach(NodeClaim::close);
                throw e;
            }
            recoveryResources.forEach(svc.recovery::register);
            svc.recovery.runPass();
            OPEN.add(svc);
            return svc;
        }

        private static void checkNodeName(String what, String node) {
            int bytes = node.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > XidFactory.MAX_NODE_NAME_BYTES) {
                throw new IllegalArgumentException(what + " must be 1 to " + XidFactory.MAX_NODE_NAME_BYTES
                        + " bytes of UTF-8 so that Xids fit in 64 bytes; '" + node + "' has " + bytes);
            }
            if (node.indexOf(':') >= 0) {
                throw new IllegalArgumentException(what + " must not contain ':' (it separates the node from the sequence in transaction ids): '"
                        + node + "'");
            }
        }

        /**
         * A log holding decisions of a node name that is not this node's (one written before the log
         * recorded its node name) is refused: this node could not recover them, and the other name, once
         * started again, would find its branches gone or roll back the ones left.
         */
        private void refuseOtherNodesDecisions(Journal journal, List<String> own) {
            Set<String> others = new TreeSet<>();
            int count = 0;
            for (LogRecords.CommitRecord c : journal.pendingCommits()) {
                String n = Recovery.nodeOf(c.gtrid());
                if (!own.contains(n)) {
                    others.add(n == null ? "(no node name)" : n);
                    count++;
                }
            }
            if (count > 0) {
                String first = others.iterator().next();
                throw new IllegalStateException("The recovery log in " + logDirectory.toAbsolutePath() + " holds " + count
                        + " unfinished commit decision(s) of node name(s) " + others + ", not of '" + own.get(0) + "'. Recovery only"
                        + " finishes transactions of its own node name. Start with nodeName(\"" + first + "\"), or, if this node was"
                        + " renamed on purpose, add renamedFrom(\"" + first + "\").");
            }
        }

        private static String defaultNodeName() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                } catch (Exception e) {
                    host = "pledge";
                }
            }
            return NodeNames.fit(host.strip());
        }
    }
}
