package dev.pledge.tm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process with a node name. {@code try LOG NODE}: tries to start a service and prints why
 * it was refused; {@code hold-and-halt LOG NODE}: starts one and halts the JVM without closing it.
 */
final class SameNodeNameChild {
    static final int REFUSED = 7;
    static final int HALTED = 9;

    public static void main(String[] args) {
        TransactionService.Builder b = TransactionService.builder().logDirectory(Path.of(args[1])).nodeName(args[2])
                .recoveryInterval(Duration.ZERO);
        if (args[0].equals("hold-and-halt")) {
            b.build();
            System.out.println("started " + args[2]);
            Runtime.getRuntime().halt(HALTED);
        }
        try (TransactionService svc = b.build()) {
            System.out.println("started with a node name another live service holds: " + svc.nodeName());
            System.exit(0);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(REFUSED);
        }
    }
}
