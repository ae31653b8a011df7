package dev.pledge.bench;

import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM: one manager, T threads, each transaction enlisting two no-op resources and committing.
 * Prints the {@link LoadLoop} RESULT line.
 * <pre>RunOne MANAGER THREADS WARMUP_SECONDS MEASURE_SECONDS DIR</pre>
 */
public final class RunOne {
    private RunOne() {
    }

    public static void main(String[] args) throws Exception {
        String manager = args[0];
        int threads = Integer.parseInt(args[1]);
        double warmup = Double.parseDouble(args[2]);
        double measure = Double.parseDouble(args[3]);
        Path dir = Files.createDirectories(Path.of(args[4]));
        NoopXAResource a = new NoopXAResource("noop-a");
        NoopXAResource b = new NoopXAResource("noop-b");
        try (Contender c = Contender.named(manager)) {
            TransactionManager tm = c.start(dir, a, b);
            LoadLoop.run(threads, warmup, measure, thread -> {
                tm.begin();
                tm.getTransaction().enlistResource(a);
                tm.getTransaction().enlistResource(b);
                tm.commit();
            }, c::forces);
        }
        System.exit(0);
    }
}
