package dev.pledge.tm;

import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.db.DatabaseJournal;
import dev.pledge.tm.log.file.FileJournal;

import jakarta.transaction.TransactionManager;
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
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of a Pledge transaction manager: one recovery log, one node name, and the JTA objects
 * that use them. Build one with {@link #builder()}; several may live in one JVM, each with its own
 * log directory and node name. {@link #close()} stops its background threads and releases the log.
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
    private final PhaseRunner phases;
    private final ScheduledExecutorService recoverer;
    private final Metrics metrics;
    private final ObjectName mbeanName;

    private TransactionService(Config config, Function<Config, Journal> journals) {
        this.config = config;
        this.journal = journals.apply(config);
        XidFactory xids = new XidFactory(config.nodeName());
        this.phases = config.parallelPhases() ? PhaseRunner.parallel(config.nodeName()) : PhaseRunner.sequential();
        this.tm = new TransactionManagerImpl(journal, xids, (int) Math.max(1, config.defaultTimeout().toSeconds()), counters, phases);
        this.ut = new UserTransactionImpl(tm);
        this.tsr = new SynchronizationRegistryImpl(tm);
        boolean background = !config.recoveryInterval().isZero();
        this.recoverer = background ? Executors.newSingleThreadScheduledExecutor(daemon("pledge-recovery-" + config.nodeName())) : null;
        this.recovery = new Recovery(tm, journal, xids.nodeNameBytes(), this::scheduleSoonPass);
        this.metrics = new Metrics(counters, journal, tm);
        this.mbeanName = registerMBean(config.nodeName(), metrics);
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

    /** This service's node name, stamped into every Xid it makes. */
    public String nodeName() {
        return config.nodeName();
    }

    /** Live counters; also registered with JMX as {@code dev.pledge:type=TransactionService,node=<node>}. */
    public TransactionMetricsMXBean metrics() {
        return metrics;
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

    private void reap() {
        long now = System.nanoTime();
        try {
            for (TransactionImpl tx : tm.liveTransactions()) {
                if (now - tx.deadlineNanos >= 0) {
                    tx.timeout();
                }
            }
        } catch (RuntimeException e) {
            log.error("Timeout reaper failed", e);
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
    }

    /**
     * Stops the reaper, background recovery and the threads of parallel phases (after their calls in
     * flight return), and releases the log. Transactions still running are left to recovery.
     */
    @Override
    public void close() {
        reaper.shutdownNow();
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
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException e) {
                log.debug("unregistering {} failed", mbeanName, e);
            }
        }
        log.info("Pledge transaction service '{}' closed", config.nodeName());
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
        private Duration defaultTimeout = Duration.ofSeconds(60);
        private Duration recoveryInterval = Duration.ofMinutes(2);
        private Duration reaperInterval = Duration.ofMillis(100);
        private boolean fsync = true;
        private boolean parallelPhases;
        private Function<Config, Journal> journals = c -> c.databaseLog() != null
                ? DatabaseJournal.open(c.databaseLog(), c.databaseLogTablePrefix(), c.nodeName(), c.databaseLogLease())
                : FileJournal.open(c.logDirectory(), c.fsync());
        private final java.util.LinkedHashMap<String, Supplier<? extends XAResource>> recoveryResources = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** Identity stamped into every Xid (at most 47 bytes of UTF-8); default: the host name. */
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

        /** How long the database log's node row stays held after the last renewal (renewed every third); default 30 s. */
        Builder databaseLogLease(Duration lease) {
            this.databaseLogLease = Objects.requireNonNull(lease, "databaseLogLease");
            return this;
        }

        /** Timeout of transactions whose thread set none; default 60 s. */
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
            return this;
        }

        /** Validates, opens the log (failing at once if another service holds it) and runs a first recovery pass. */
        public TransactionService build() {
            String node = nodeName != null ? nodeName : defaultNodeName();
            int bytes = node.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > XidFactory.MAX_NODE_NAME_BYTES) {
                throw new IllegalArgumentException("nodeName must be 1 to " + XidFactory.MAX_NODE_NAME_BYTES
                        + " bytes of UTF-8 so that Xids fit in 64 bytes; '" + node + "' has " + bytes);
            }
            if (node.indexOf(':') >= 0) {
                throw new IllegalArgumentException("nodeName must not contain ':' (it separates the node from the sequence in transaction ids): '" + node + "'");
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
            if (databaseLog != null && !fsync) {
                throw new IllegalArgumentException("unsafeDisableFsync() applies to the file log only; the database log always commits");
            }
            TransactionService svc = new TransactionService(new Config(node, logDirectory, defaultTimeout, recoveryInterval, fsync,
                    reaperInterval, parallelPhases, databaseLog, databaseLogTablePrefix, databaseLogLease), journals);
            recoveryResources.forEach(svc.recovery::register);
            svc.recovery.runPass();
            return svc;
        }

        private static String defaultNodeName() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "pledge";
            }
            host = host.replace(':', '-');
            byte[] b = host.getBytes(StandardCharsets.UTF_8);
            return b.length <= XidFactory.MAX_NODE_NAME_BYTES ? host
                    : new String(b, 0, XidFactory.MAX_NODE_NAME_BYTES, StandardCharsets.UTF_8).replace("\uFFFD", "");
        }
    }
}
