package dev.pledge.xa.jms;

import java.time.Duration;

/**
 * A snapshot of a {@link JmsBridge}'s counters.
 *
 * @param forwarded messages committed to the target
 * @param deadLettered messages committed to the dead-letter queue instead
 * @param batches committed transactions that moved at least one message
 * @param failures batches that failed (rolled back, or a broker unreachable) since the bridge was made
 * @param lastMessageAge the lag: how old the most recently moved message was (now minus its
 *     JMSTimestamp) when its batch committed; {@code null} before the first. JMS offers no portable
 *     count of messages waiting in a queue, so the bridge reports this age instead.
 * @param running whether the bridge's thread is moving messages (or retrying)
 * @param stoppedItself why the bridge stopped on its own, once it is no longer running; {@code null}
 *     while it runs, before it started, and after {@link JmsBridge#stop()}
 */
public record JmsBridgeMetrics(long forwarded, long deadLettered, long batches, long failures, Duration lastMessageAge,
        boolean running, SelfStop stoppedItself) {

    /** A snapshot without a self-stop (the record's shape before {@code stoppedItself} was added). */
    public JmsBridgeMetrics(long forwarded, long deadLettered, long batches, long failures, Duration lastMessageAge, boolean running) {
        this(forwarded, deadLettered, batches, failures, lastMessageAge, running, null);
    }

    /** Why a bridge stopped without being asked to. */
    public enum SelfStopReason {
        /** {@code maxRetries} consecutive failures. */
        MAX_RETRIES,
        /**
         * A broker refused a setting for good ({@code InvalidSelectorException} or
         * {@code InvalidDestinationException}): retrying cannot help until the configuration or the
         * broker's destinations change.
         */
        CONFIGURATION_ERROR
    }

    /**
     * Why and with what message (the one the bridge logged) a bridge stopped itself.
     *
     * @param reason the kind of stop
     * @param message the logged error: names the bridge and, for a configuration error, the setting and its value
     */
    public record SelfStop(SelfStopReason reason, String message) {
    }
}
