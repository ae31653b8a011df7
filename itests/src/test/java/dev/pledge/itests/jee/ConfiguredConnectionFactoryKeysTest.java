package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.ConnectionFactorySettings;
import dev.pledge.jee.naming.ConfiguredConnectionFactories;
import dev.pledge.tm.TransactionService;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code pledge.jms.NAME.*} rows of docs/configuration.md on Artemis's XA connection factory, read
 * from a {@code pledge.properties} file: every other key reaches the factory's setter (any case,
 * hyphens dropped, {@code url} as Artemis's {@code setBrokerURL}), and a bad key or pool size fails
 * naming the key, its value and the file. No broker is needed: nothing connects.
 */
class ConfiguredConnectionFactoryKeysTest {
    @TempDir
    Path dir;

    private ConnectionFactorySettings events(String keys) throws Exception {
        Files.writeString(dir.resolve("pledge.properties"),
                "jms.events.xa-factory-class=" + ActiveMQXAConnectionFactory.class.getName() + "\n" + keys);
        // only the file: no MicroProfile Config in this loader
        ClassLoader file = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        return ServiceConfiguration.fromEnvironment(file).connectionFactories().get("events");
    }

    @Test
    void urlUserPasswordClientIdAndAnyOtherKeyReachTheProvidersSetters() throws Exception {
        ConnectionFactorySettings cf = events("jms.events.url=tcp://mq.example:61617\njms.events.user=shop\n"
                + "jms.events.password=s3cret\njms.events.client-id=shop-1\njms.events.Call-Timeout=4321\n");
        ActiveMQXAConnectionFactory xa = (ActiveMQXAConnectionFactory) ConfiguredConnectionFactories.xaConnectionFactory(cf,
                getClass().getClassLoader());
        assertTrue(xa.toURI().toString().startsWith("tcp://mq.example:61617"), xa.toURI().toString());
        assertEquals("shop", xa.getUser());
        assertEquals("s3cret", xa.getPassword());
        assertEquals("shop-1", xa.getClientID());
        assertEquals(4321, xa.getCallTimeout());
    }

    @Test
    void aKeyTheProviderHasNoSetterForIsRefusedNamingTheFactoryTheKeyAndTheFile() throws Exception {
        ConnectionFactorySettings cf = events("jms.events.colour=blue\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfiguredConnectionFactories.xaConnectionFactory(cf, getClass().getClassLoader()));
        assertTrue(e.getMessage().startsWith("JMS connection factory 'events'") && e.getMessage().contains("pledge.jms.events.colour = 'blue'")
                && e.getMessage().contains("pledge.properties") && e.getMessage().contains("has no setter"), e.getMessage());
    }

    @Test
    void aPoolSizeBelowOneOrNotANumberIsRefusedNamingTheKeyTheValueAndTheFile() throws Exception {
        try (TransactionService svc = TransactionService.builder().nodeName("jee-jms-keys").logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            ConnectionFactorySettings none = events("jms.events.max-connections=0\n");
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> ConfiguredConnectionFactories.build(none, svc, getClass().getClassLoader()));
            assertTrue(zero.getMessage().startsWith("JMS connection factory 'events'")
                    && zero.getMessage().contains("pledge.jms.events.max-connections = '0'") && zero.getMessage().contains("pledge.properties")
                    && zero.getMessage().endsWith("maxConnections must be at least 1, not 0"), zero.getMessage());

            ConnectionFactorySettings lots = events("jms.events.max-sessions-per-connection=lots\n");
            IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                    () -> ConfiguredConnectionFactories.build(lots, svc, getClass().getClassLoader()));
            assertTrue(word.getMessage().contains("pledge.jms.events.max-sessions-per-connection = 'lots'")
                    && word.getMessage().contains("pledge.properties") && word.getMessage().endsWith("is not a whole number"), word.getMessage());
        }
    }
}
