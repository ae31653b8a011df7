package dev.pledge.xa.jms;

import jakarta.jms.XAConnectionFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link JmsBridge}: where messages come from and go to, how they are
 * batched into transactions, how long to back off while a broker is down, and when a message is
 * given up on and moved to the dead-letter queue. Build one with {@link #builder()}.
 */
public final class JmsBridgeConfig {
    private final String name;
    private final XAConnectionFactory sourceFactory;
    private final String sourceQueue;
    private final String sourceResourceName;
    private final XAConnectionFactory targetFactory;
    private final String targetQueue;
    private final String targetResourceName;
    private final String selector;
    private final int batchSize;
    private final Duration maxBatchWait;
    private final int maxDeliveries;
    private final String deadLetterQueue;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final int maxRetries;
    private final Duration transactionTimeout;
    private final int concurrency;
    private final int pipelineDepth;

    private JmsBridgeConfig(Builder b) {
        this.name = b.name;
        this.sourceFactory = b.sourceFactory;
        this.sourceQueue = b.sourceQueue;
        this.sourceResourceName = b.sourceResourceName != null ? b.sourceResourceName : b.name + "-source";
        this.targetFactory = b.targetFactory;
        this.targetQueue = b.targetQueue;
        this.targetResourceName = b.targetResourceName != null ? b.targetResourceName : b.name + "-target";
        this.selector = b.selector;
        this.batchSize = b.batchSize;
        this.maxBatchWait = b.maxBatchWait;
        this.maxDeliveries = b.maxDeliveries;
        this.deadLetterQueue = b.deadLetterQueue != null ? b.deadLetterQueue : b.sourceQueue + ".DLQ";
        this.retryInitialDelay = b.retryInitialDelay;
        this.retryMaxDelay = b.retryMaxDelay;
        this.maxRetries = b.maxRetries;
        this.transactionTimeout = b.transactionTimeout;
        this.concurrency = b.concurrency;
        this.pipelineDepth = b.pipelineDepth;
    }

    /** Starts a builder; source, target and their queues are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The bridge's name: its thread name and the prefix of the default resource names. */
    public String name() {
        return name;
    }

    public XAConnectionFactory sourceFactory() {
        return sourceFactory;
    }

    public String sourceQueue() {
        return sourceQueue;
    }

    /** Resource name of the source broker in the recovery log and registration. */
    public String sourceResourceName() {
        return sourceResourceName;
    }

    public XAConnectionFactory targetFactory() {
        return targetFactory;
    }

    public String targetQueue() {
        return targetQueue;
    }

    /** Resource name of the target broker in the recovery log and registration. */
    public String targetResourceName() {
        return targetResourceName;
    }

    /** JMS message selector on the source queue, or null for every message. */
    public String selector() {
        return selector;
    }

    /** Most messages moved in one transaction. */
    public int batchSize() {
        return batchSize;
    }

    /** Longest wait for a batch to fill before committing what it holds. */
    public Duration maxBatchWait() {
        return maxBatchWait;
    }

    /** A message delivered more often than this (JMSXDeliveryCount) goes to the dead-letter queue. */
    public int maxDeliveries() {
        return maxDeliveries;
    }

    /** Dead-letter queue, on the source broker (reachable even when the target is the problem). */
    public String deadLetterQueue() {
        return deadLetterQueue;
    }

    public Duration retryInitialDelay() {
        return retryInitialDelay;
    }

    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /**
     * Consecutive failed attempts before the bridge gives up and stops; -1 retries forever. A
     * setting a broker refuses for good stops the bridge at the first attempt regardless.
     */
    public int maxRetries() {
        return maxRetries;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /**
     * Batches moved at once, each by its own thread with its own connections and transaction. More
     * than one multiplies throughput (the brokers and the Pledge log share their disk forces among
     * concurrent commits) but gives up the source order: still exactly once, no longer in order.
     */
    public int concurrency() {
        return concurrency;
    }

    /**
     * Batches of one thread that may be committing while it moves the next; 1 (the default) commits
     * each batch before the next is received. More overlaps the brokers' synced prepares and commits
     * of several batches. The target still receives the batches in source order while none fails:
     * the commits on the target keep the order the batches were moved in. When a batch fails, the
     * batches in flight behind it roll back or commit on their own, so the failed batch's messages
     * may arrive after later ones (still each exactly once). The price after a crash: a batch that
     * was moved but not yet prepared is rolled back by the brokers' transaction timeout
     * ({@link #transactionTimeout()}), not at once, so its messages come again only then.
     */
    public int pipelineDepth() {
        return pipelineDepth;
    }

    @Override
    public String toString() {
        return "JmsBridgeConfig[" + name + ": " + sourceResourceName + "/" + sourceQueue + " -> " + targetResourceName + "/" + targetQueue
                + ", batch " + batchSize + " within " + maxBatchWait.toMillis() + " ms"
                + (selector != null ? ", selector '" + selector + "'" : "") + ", dead letter after " + maxDeliveries
                + " deliveries to " + deadLetterQueue + ", retry " + retryInitialDelay.toMillis() + ".." + retryMaxDelay.toMillis()
                + " ms" + (maxRetries < 0 ? " forever" : " " + maxRetries + " times") + (concurrency > 1 ? ", " + concurrency + " concurrent batches" : "")
                + (pipelineDepth > 1 ? ", " + pipelineDepth + " batches in flight" : "") + "]";
    }

    /** Collects a bridge's settings; every setter validates its argument, {@link #build()} the whole. */
    public static final class Builder {
        private String name = "jms-bridge";
        private XAConnectionFactory sourceFactory;
        private String sourceQueue;
        private String sourceResourceName;
        private XAConnectionFactory targetFactory;
        private String targetQueue;
        private String targetResourceName;
        private String selector;
        private int batchSize = 100;
        private Duration maxBatchWait = Duration.ofMillis(500);
        private int maxDeliveries = 5;
        private String deadLetterQueue;
        private Duration retryInitialDelay = Duration.ofMillis(200);
        private Duration retryMaxDelay = Duration.ofSeconds(10);
        private int maxRetries = -1;
        private Duration transactionTimeout = Duration.ofSeconds(60);
        private int concurrency = 1;
        private int pipelineDepth = 1;

        private Builder() {
        }

        /** Default "jms-bridge". */
        public Builder name(String name) {
            this.name = requireText(name, "name");
            return this;
        }

        /** The source broker and the queue to drain. */
        public Builder source(XAConnectionFactory factory, String queue) {
            this.sourceFactory = Objects.requireNonNull(factory, "source factory");
            this.sourceQueue = requireText(queue, "source queue");
            return this;
        }

        /** Default: name + "-source". */
        public Builder sourceResourceName(String resourceName) {
            this.sourceResourceName = requireText(resourceName, "sourceResourceName");
            return this;
        }

        /** The target broker and the queue to fill. */
        public Builder target(XAConnectionFactory factory, String queue) {
            this.targetFactory = Objects.requireNonNull(factory, "target factory");
            this.targetQueue = requireText(queue, "target queue");
            return this;
        }

        /** Default: name + "-target". */
        public Builder targetResourceName(String resourceName) {
            this.targetResourceName = requireText(resourceName, "targetResourceName");
            return this;
        }

        /**
         * Only messages matching this JMS selector are moved; default: all. Not checked here (JMS
         * parses selectors only in the provider): a selector the source broker refuses stops the
         * bridge when it connects, see {@link JmsBridge}.
         */
        public Builder selector(String selector) {
            this.selector = selector == null || selector.isBlank() ? null : selector;
            return this;
        }

        /** Default 100. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Default 500 ms; at least 1 ms. */
        public Builder maxBatchWait(Duration wait) {
            if (wait == null || wait.toMillis() < 1) {
                throw new IllegalArgumentException("maxBatchWait must be at least 1 ms, not " + wait);
            }
            this.maxBatchWait = wait;
            return this;
        }

        /**
         * Default 5: the 6th delivery of a message sends it to the dead-letter queue. Keep it below
         * the source broker's own redelivery limit (Artemis: {@code max-delivery-attempts}, 10 by
         * default), or set that to -1: a broker that reaches its limit first moves the message to its
         * own dead-letter address, or drops it when it has none, and the bridge never sees it again.
         */
        public Builder maxDeliveries(int maxDeliveries) {
            if (maxDeliveries < 1) {
                throw new IllegalArgumentException("maxDeliveries must be at least 1, not " + maxDeliveries);
            }
            this.maxDeliveries = maxDeliveries;
            return this;
        }

        /** Default: source queue + ".DLQ", on the source broker. */
        public Builder deadLetterQueue(String queue) {
            this.deadLetterQueue = requireText(queue, "deadLetterQueue");
            return this;
        }

        /** Backoff after a failure: starts at {@code initial}, doubles, capped at {@code max}. Default 200 ms .. 10 s. */
        public Builder retryDelay(Duration initial, Duration max) {
            if (initial == null || max == null || initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retry delays must satisfy 0 < initial <= max, not " + initial + ", " + max);
            }
            this.retryInitialDelay = initial;
            this.retryMaxDelay = max;
            return this;
        }

        /** Consecutive failures tolerated before the bridge stops itself; -1 (default) for ever. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < -1) {
                throw new IllegalArgumentException("maxRetries must be -1 (for ever) or more, not " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** Timeout of each batch's transaction; default 60 s, whole seconds. */
        public Builder transactionTimeout(Duration timeout) {
            if (timeout == null || timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("transactionTimeout must be at least 1 s, not " + timeout);
            }
            this.transactionTimeout = timeout;
            return this;
        }

        /** Concurrent batches (threads); default 1, which keeps the source order. See {@link JmsBridgeConfig#concurrency()}. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** Batches in flight per thread; default 1. See {@link JmsBridgeConfig#pipelineDepth()}. */
        public Builder pipelineDepth(int depth) {
            if (depth < 1 || depth > 64) {
                throw new IllegalArgumentException("pipelineDepth must be between 1 and 64, not " + depth);
            }
            this.pipelineDepth = depth;
            return this;
        }

        public JmsBridgeConfig build() {
            if (sourceFactory == null || targetFactory == null) {
                throw new IllegalStateException("source and target are required");
            }
            JmsBridgeConfig c = new JmsBridgeConfig(this);
            if (c.sourceResourceName.equals(c.targetResourceName)) {
                throw new IllegalStateException("source and target need different resource names for recovery, both are '"
                        + c.sourceResourceName + "'");
            }
            if (maxBatchWait.compareTo(transactionTimeout) >= 0) {
                throw new IllegalStateException("maxBatchWait (" + maxBatchWait + ") must be shorter than the transaction timeout ("
                        + transactionTimeout + ")");
            }
            return c;
        }

        private static String requireText(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }
}
