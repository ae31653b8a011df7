package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The default node name from a host (pod) name: fitted to the Xid's limit deterministically. */
class NodeNamesTest {
    @Test
    void aShortHostNameIsTheNodeName() {
        assertEquals("shop-7d9f8-x2k4q", NodeNames.fit("shop-7d9f8-x2k4q"));
        assertEquals("host-8080", NodeNames.fit("host:8080"), "':' separates node and sequence in a gtrid");
    }

    @Test
    void aLongHostNameIsCutAndGivenAHashSuffixTheSameEveryTimeAndDifferentForAnotherName() {
        String pod1 = "orders-service-with-a-very-long-deployment-name-5f7c9d8b6-abcde";
        String pod2 = "orders-service-with-a-very-long-deployment-name-5f7c9d8b6-fghij";
        String n1 = NodeNames.fit(pod1);
        assertTrue(n1.getBytes(StandardCharsets.UTF_8).length <= XidFactory.MAX_NODE_NAME_BYTES, n1);
        assertTrue(n1.matches(".*-[0-9a-f]{8}"), n1);
        assertTrue(pod1.startsWith(n1.substring(0, n1.length() - 9)), n1);
        assertEquals(n1, NodeNames.fit(pod1), "deterministic: a restarted pod gets its name back");
        assertNotEquals(n1, NodeNames.fit(pod2), "two pods that share the head of their names stay apart");
    }
}
