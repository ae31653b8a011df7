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
 */
public record JmsBridgeMetrics(long forwarded, long deadLettered, long batches, long failures, Duration lastMessageAge,
        boolean running) {
}
