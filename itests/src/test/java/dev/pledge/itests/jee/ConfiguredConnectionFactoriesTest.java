package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.itests.ChildJvm;
import dev.pledge.itests.servlet.ShopBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JMS connection factory declared in configuration alone ({@code pledge.jms.NAME.*}), on a real
 * Artemis broker: injected by name, its sends commit and roll back with the transaction, and it is
 * registered for recovery before the start-up pass, which rolls back the branch a crash left
 * prepared on the broker.
 */
class ConfiguredConnectionFactoriesTest {
    static final String NODE = "jee-conf-jms";

    @TempDir
    Path dir;

    private List<String> settings(ShopBroker broker) {
        String prefix = "pledge.jms." + ConfiguredJmsShop.BROKER + ".";
        List<String> s = new ArrayList<>();
        s.add("pledge.nodeName=" + NODE);
        s.add("pledge.logDirectory=" + dir.resolve("log"));
        s.add("pledge.recoveryInterval=0");
        s.add(prefix + "xa-factory-class=org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory");
        s.add(prefix + "url=" + broker.url());
        s.add(prefix + "max-connections=2");
        s.add(prefix + "max-sessions-per-connection=10");
        return s;
    }

    private Process run(ShopBroker broker, String command, String outName) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.addAll(settings(broker));
        Path out = dir.resolve(outName);
        Process child = ChildJvm.start(out, ConfiguredJmsApp.class, args.toArray(String[]::new));
        try {
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), command + " did not end within 120 s:\n" + Files.readString(out));
        } finally {
            child.destroyForcibly();
        }
        return child;
    }

    @Test
    void aConnectionFactoryFromConfigurationAloneSendsInTransactionsAndIsRecoveredAtStartUpAfterACrash() throws Exception {
        try (ShopBroker broker = ShopBroker.start(dir.resolve("broker"))) {
            Process ordered = run(broker, "order:1", "order.txt");
            assertEquals(0, ordered.exitValue(), Files.readString(dir.resolve("order.txt")));
            Process failed = run(broker, "fail:2", "fail.txt");
            String failOutput = Files.readString(dir.resolve("fail.txt"));
            assertEquals(0, failed.exitValue(), failOutput);
            assertTrue(failOutput.contains("rolled back: order 2 refused"), failOutput);

            Process halted = run(broker, "halt:3", "halt.txt");
            assertEquals(ConfiguredBankApp.HALT_STATUS, halted.exitValue(), Files.readString(dir.resolve("halt.txt")));
            assertFalse(broker.preparedOf(NODE).isEmpty(), "the broker's branch is prepared and in doubt after the crash");

            Process restart = run(broker, "start", "restart.txt");
            String output = Files.readString(dir.resolve("restart.txt"));
            assertEquals(0, restart.exitValue(), output);
            assertTrue(output.contains("ready"), output);
            assertTrue(output.contains("default factory: " + ConfiguredJmsShop.BROKER + ", the named one: true"),
                    "the only declared factory is also @Default: " + output);
            assertEquals(List.of(), broker.preparedOf(NODE), "the start-up pass found the configured connection factory and rolled back");
            assertEquals(Map.of("1", 1), broker.drainOrderMessages(),
                    "the committed order's message arrived once; the rolled-back and the crashed (presumed abort) ones never");
        }
    }
}
