package dev.pledge.itests.jee;

import dev.pledge.jee.cdi.PledgeExtension;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.jms.ConnectionFactory;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The child JVM of {@link ConfiguredConnectionFactoriesTest}: its configuration arrives as
 * {@code KEY=VALUE} arguments that become {@code pledge.*} system properties, the JMS connection
 * factory included; then Weld SE starts with the Pledge extension and the command runs.
 * <pre>COMMAND(start|order:ID|fail:ID|halt:ID) KEY=VALUE...</pre>
 */
public final class ConfiguredJmsApp {
    private ConfiguredJmsApp() {
    }

    public static void main(String[] args) throws Exception {
        ConfiguredBankApp.applySettings(args);
        try (WeldContainer weld = new Weld().disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(ConfiguredJmsShop.class).initialize()) {
            System.out.println("ready");
            ConfiguredJmsShop shop = weld.select(ConfiguredJmsShop.class).get();
            String command = args[0];
            String id = command.substring(command.indexOf(':') + 1);
            if (command.equals("start")) {
                // the only declared factory is also the @Default ConnectionFactory
                System.out.println("default factory: " + weld.select(TransactionalConnectionFactory.class).get().name() + ", the named one: "
                        + (weld.select(ConnectionFactory.class).get() == weld.select(ConnectionFactory.class, NamedLiteral.of(ConfiguredJmsShop.BROKER)).get()));
            } else if (command.startsWith("order:")) {
                shop.placeOrder(id, false, false);
            } else if (command.startsWith("fail:")) {
                try {
                    shop.placeOrder(id, true, false);
                    System.out.println("the failing order committed");
                    System.exit(3);
                } catch (IllegalStateException expected) {
                    System.out.println("rolled back: " + expected.getMessage());
                }
            } else if (command.startsWith("halt:")) {
                shop.placeOrder(id, false, true);
                System.out.println("the halt never happened");
                System.exit(3);
            }
        }
        System.out.println("done");
    }
}
