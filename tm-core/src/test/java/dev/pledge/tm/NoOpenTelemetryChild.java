package dev.pledge.tm;

import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child JVM without the OpenTelemetry API on its class path: runs a two-phase transaction, a rollback,
 * a recovery pass and a health view with tracing off. Arg: log directory.
 */
final class NoOpenTelemetryChild {
    private NoOpenTelemetryChild() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.opentelemetry.api.OpenTelemetry");
            System.out.println("OpenTelemetry is on the class path after all");
            System.exit(2);
        } catch (ClassNotFoundException expected) {
            System.out.println("no OpenTelemetry");
        }
        try (TransactionService svc = TransactionService.builder().nodeName("no-otel").logDirectory(Path.of(args[0]))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            CallLog log = new CallLog();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("a", log));
            tm.getTransaction().enlistResource(new ScriptedXAResource("b", log));
            tm.commit();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("a", log));
            tm.rollback();
            svc.recovery().runPass();
            System.out.println("committed: " + svc.metrics().getCommitted() + ", up: " + svc.health().isUp());
        }
    }
}
