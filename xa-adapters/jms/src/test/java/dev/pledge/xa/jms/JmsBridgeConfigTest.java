package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.junit.jupiter.api.Test;

/** The bridge's settings as docs/jms-and-bridge.md and the builder's Javadoc state them: defaults, and refusals naming the setting. */
class JmsBridgeConfigTest {
    /** Never connected: building a config opens nothing. */
    private final ActiveMQXAConnectionFactory source = new ActiveMQXAConnectionFactory("tcp://127.0.0.1:1");
    private final ActiveMQXAConnectionFactory target = new ActiveMQXAConnectionFactory("tcp://127.0.0.1:2");

    private JmsBridgeConfig.Builder minimal() {
        return JmsBridgeConfig.builder().source(source, "orders").target(target, "orders-copy");
    }

    @Test
    void onlySourceAndTargetAreNeededAndEverythingElseTakesItsDocumentedDefault() {
        JmsBridgeConfig c = minimal().build();
        assertEquals("jms-bridge", c.name());
        assertEquals(100, c.batchSize());
        assertEquals(Duration.ofMillis(500), c.maxBatchWait());
        assertNull(c.selector(), "every message");
        assertEquals(5, c.maxDeliveries());
        assertEquals("orders.DLQ", c.deadLetterQueue(), "on the source broker, named after the source queue");
        assertEquals(Duration.ofMillis(200), c.retryInitialDelay());
        assertEquals(Duration.ofSeconds(10), c.retryMaxDelay());
        assertEquals(-1, c.maxRetries(), "retries for ever");
        assertEquals(Duration.ofSeconds(60), c.transactionTimeout());
        assertEquals(1, c.concurrency());
        assertEquals(1, c.pipelineDepth());
        assertEquals("jms-bridge-source", c.sourceResourceName());
        assertEquals("jms-bridge-target", c.targetResourceName());
        assertEquals("orders", c.sourceQueue());
        assertEquals("orders-copy", c.targetQueue());
    }

    @Test
    void theDocumentedExampleKeepsEverySettingItGives() {
        JmsBridgeConfig c = minimal().batchSize(100).maxBatchWait(Duration.ofMillis(500)).selector("region = 'EU'").maxDeliveries(5)
                .deadLetterQueue("orders-dlq").retryDelay(Duration.ofMillis(200), Duration.ofSeconds(10)).build();
        assertEquals("region = 'EU'", c.selector());
        assertEquals("orders-dlq", c.deadLetterQueue());
        assertEquals(5, c.maxDeliveries());
    }

    @Test
    void theBridgeNamePrefixesTheResourceNamesUnlessTheyAreGiven() {
        JmsBridgeConfig named = minimal().name("eu-copy").build();
        assertEquals("eu-copy-source", named.sourceResourceName());
        assertEquals("eu-copy-target", named.targetResourceName());
        JmsBridgeConfig given = minimal().name("eu-copy").sourceResourceName("broker-a").targetResourceName("broker-b").build();
        assertEquals("broker-a", given.sourceResourceName());
        assertEquals("broker-b", given.targetResourceName());
    }

    @Test
    void aBlankSelectorMovesEveryMessage() {
        assertNull(minimal().selector("  ").build().selector());
    }

    @Test
    void eachSettingOutOfRangeIsRefusedNamingTheSettingAndTheValue() {
        assertRefused("batchSize must be at least 1, not 0", () -> JmsBridgeConfig.builder().batchSize(0));
        assertRefused("maxBatchWait must be at least 1 ms, not PT0S", () -> JmsBridgeConfig.builder().maxBatchWait(Duration.ZERO));
        assertRefused("maxDeliveries must be at least 1, not 0", () -> JmsBridgeConfig.builder().maxDeliveries(0));
        assertRefused("maxRetries must be -1 (for ever) or more, not -2", () -> JmsBridgeConfig.builder().maxRetries(-2));
        assertRefused("transactionTimeout must be at least 1 s, not PT0.5S",
                () -> JmsBridgeConfig.builder().transactionTimeout(Duration.ofMillis(500)));
        assertRefused("concurrency must be at least 1, not 0", () -> JmsBridgeConfig.builder().concurrency(0));
        assertRefused("pipelineDepth must be between 1 and 64, not 0", () -> JmsBridgeConfig.builder().pipelineDepth(0));
        assertRefused("pipelineDepth must be between 1 and 64, not 65", () -> JmsBridgeConfig.builder().pipelineDepth(65));
        assertRefused("retry delays must satisfy 0 < initial <= max, not PT2S, PT1S",
                () -> JmsBridgeConfig.builder().retryDelay(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertRefused("retry delays must satisfy 0 < initial <= max, not PT0S, PT1S",
                () -> JmsBridgeConfig.builder().retryDelay(Duration.ZERO, Duration.ofSeconds(1)));
        assertRefused("source queue must not be blank", () -> JmsBridgeConfig.builder().source(source, " "));
        assertRefused("target queue must not be blank", () -> JmsBridgeConfig.builder().target(target, ""));
        assertRefused("deadLetterQueue must not be blank", () -> JmsBridgeConfig.builder().deadLetterQueue(" "));
        assertRefused("name must not be blank", () -> JmsBridgeConfig.builder().name(""));
        NullPointerException noFactory = assertThrows(NullPointerException.class, () -> JmsBridgeConfig.builder().source(null, "orders"));
        assertEquals("source factory", noFactory.getMessage());
    }

    @Test
    void aConfigWithoutSourceOrTargetOrWithOneResourceNameForBothOrABatchWaitAsLongAsTheTimeoutIsNotBuilt() {
        IllegalStateException noTarget = assertThrows(IllegalStateException.class, () -> JmsBridgeConfig.builder().source(source, "orders").build());
        assertEquals("source and target are required", noTarget.getMessage());
        IllegalStateException sameName = assertThrows(IllegalStateException.class,
                () -> minimal().sourceResourceName("broker").targetResourceName("broker").build());
        assertTrue(sameName.getMessage().contains("different resource names") && sameName.getMessage().contains("'broker'"),
                sameName.getMessage());
        IllegalStateException wait = assertThrows(IllegalStateException.class,
                () -> minimal().maxBatchWait(Duration.ofSeconds(5)).transactionTimeout(Duration.ofSeconds(5)).build());
        assertEquals("maxBatchWait (PT5S) must be shorter than the transaction timeout (PT5S)", wait.getMessage());
    }

    private static void assertRefused(String message, Supplier<?> setting) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setting::get);
        assertEquals(message, e.getMessage());
    }
}
