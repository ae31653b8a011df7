package dev.pledge.itests.jee;

import dev.pledge.jee.cdi.PledgeExtension;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The child JVM of {@link HibernateCrashRecoveryTest}: boots Weld SE with the Pledge extension,
 * writes one note through {@link TwoDatabases#write} and halts at the fault ({@code Runtime.halt}).
 * <pre>LOG_DIR NODE FAULT(M:POINT|P:POINT) ID</pre>
 */
public final class HibernateCrashApp {
    static final int HALT_STATUS = 99;

    private HibernateCrashApp() {
    }

    public static void main(String[] args) {
        System.setProperty("pledge.logDirectory", args[0]);
        System.setProperty("pledge.nodeName", args[1]);
        System.setProperty("pledge.recoveryInterval", "0");
        System.setProperty(TwoDatabases.FAULT, args[2]);
        try (WeldContainer weld = new Weld().disableDiscovery().addExtension(new PledgeExtension()) // without discovery, Weld SE loads no extensions by itself
                .addBeanClasses(TwoDatabases.class).initialize()) {
            System.out.println("ready");
            weld.select(TwoDatabases.class).get().write(Long.parseLong(args[3]), "crash", null);
        }
        System.out.println("the fault never fired");
        System.exit(3);
    }
}
