package dev.pledge.tm;

import jakarta.transaction.TransactionManager;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;

/** Child JVM without Micrometer on its class path: runs a two-phase transaction and reads the JMX counters. Arg: log directory. */
final class NoMicrometerChild {
    private NoMicrometerChild() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            System.out.println("Micrometer is on the class path after all");
            System.exit(2);
        } catch (ClassNotFoundException expected) {
            System.out.println("no Micrometer");
        }
        try (TransactionService svc = TransactionService.builder().nodeName("cli-no-micrometer").logDirectory(Path.of(args[0]))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            CallLog log = new CallLog();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("b", log));
            tm.commit();
            Object committed = ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("dev.pledge:type=TransactionService,node=" + ObjectName.quote(svc.nodeName())), "Committed");
            System.out.println("committed via JMX: " + committed);
        }
    }
}
