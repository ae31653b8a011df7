package dev.pledge.itests.jee;

import dev.pledge.jee.cdi.PledgeExtension;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The child JVM of {@link ConfiguredDataSourcesTest}: its configuration arrives as {@code KEY=VALUE}
 * arguments that become {@code pledge.*} system properties, data sources included; then Weld SE
 * starts with the Pledge extension and the command runs.
 * <pre>COMMAND(start|transfer:N|halt) KEY=VALUE...</pre>
 */
public final class ConfiguredBankApp {
    static final int HALT_STATUS = 97;

    private ConfiguredBankApp() {
    }

    public static void main(String[] args) throws Exception {
        applySettings(args);
        try (WeldContainer weld = new Weld().disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(ConfiguredBank.class).initialize()) {
            System.out.println("ready");
            ConfiguredBank bank = weld.select(ConfiguredBank.class).get();
            String command = args[0];
            if (command.startsWith("transfer:")) {
                for (int i = Integer.parseInt(command.substring("transfer:".length())); i > 0; i--) {
                    bank.transfer(10, false);
                }
            } else if (command.equals("halt")) {
                bank.transfer(10, true);
                System.out.println("the halt never happened");
                System.exit(3);
            }
        }
        System.out.println("done");
    }

    /** Sets the {@code KEY=VALUE} arguments after the first (the command) as system properties. */
    static void applySettings(String[] args) {
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            System.setProperty(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
    }
}
