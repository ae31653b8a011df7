package dev.pledge.cli;

import java.nio.file.Path;

/**
 * The coordinator JVM that {@code pledge demo} crashes: it opens the demo directory (the parent has
 * released it), runs transfers, and the first transfer from number {@code CRASH_FROM} on that reaches
 * its commit decision halts the JVM in phase two, while the other threads are mid-transfer.
 * <pre>CrashChild DIR TRANSFERS THREADS CRASH_FROM</pre>
 * Exits with {@link CrashPoint#HALT_STATUS} when it halted as planned, 1 otherwise.
 */
final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int transfers = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int crashFrom = Integer.parseInt(args[3]);
        try (DemoSystem sys = DemoSystem.open(dir, threads)) {
            Transfers.Result r = Transfers.crashing(sys, "crash", crashFrom, System.out, System.err::println).run(transfers, threads, 7);
            System.out.println("the crash point never fired: " + r);
        }
        System.exit(1);
    }
}
