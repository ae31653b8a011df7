package dev.pledge.cli;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.XAConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Money transfers between two embedded H2 databases, each transfer one XA transaction over both,
 * then a check that no money appeared or vanished and nothing stayed in doubt.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs XA money transfers between two embedded H2 databases and verifies the balances.")
final class DemoCommand implements Callable<Integer> {
    private static final int ACCOUNTS = 100;
    private static final long OPENING_BALANCE = 1_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--transfers", defaultValue = "2000", description = "How many transfers to run (default ${DEFAULT-VALUE}).")
    int transfers;

    @Option(names = "--threads", defaultValue = "4", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dir", description = "Where the databases and the recovery log go (default: a new temporary directory).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (transfers < 1 || threads < 1) {
            throw new IllegalArgumentException("--transfers and --threads must be at least 1");
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pledge-demo-");
        Bank a = new Bank("bank-a", work);
        Bank b = new Bank("bank-b", work);
        a.create(ACCOUNTS, OPENING_BALANCE);
        b.create(ACCOUNTS, OPENING_BALANCE);
        long before = a.total() + b.total();
        out.printf("pledge demo: %d transfers on %d threads between two H2 databases in %s%n", transfers, threads, work);

        AtomicLong committed = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long started;
        long elapsed;
        try (TransactionService svc = TransactionService.builder()
                .nodeName("demo")
                .logDirectory(work.resolve("pledge-log"))
                .defaultTimeout(Duration.ofSeconds(30))
                .build()) {
            svc.recovery().register(a.name, () -> xaResourceFor(a));
            svc.recovery().register(b.name, () -> xaResourceFor(b));
            TransactionManager tm = svc.transactionManager();
            List<Thread> workers = new ArrayList<>();
            started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                Thread w = new Thread(() -> transferLoop(tm, a, b, seed, next, committed, refused, failed), "demo-" + t);
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            elapsed = System.nanoTime() - started;
            RecoveryReport report = svc.recovery().runPass();
            out.printf("recovery pass afterwards: %s%n", report);
        }

        long after = a.total() + b.total();
        int inDoubt = a.inDoubt() + b.inDoubt();
        double seconds = elapsed / 1e9;
        out.printf("transactions: %d   committed: %d   rolled back (insufficient funds): %d   failed: %d%n",
                committed.get() + refused.get() + failed.get(), committed.get(), refused.get(), failed.get());
        out.printf("throughput: %.0f tx/s (durable log, two XA branches each)%n", committed.get() / seconds);
        out.printf("balance check: before %d, after %d -> %s; in-doubt branches left: %d%n", before, after,
                before == after ? "conserved" : "MISMATCH", inDoubt);
        boolean ok = before == after && inDoubt == 0 && failed.get() == 0 && committed.get() > 0;
        out.println(ok ? "OK" : "FAILED");
        return ok ? 0 : 1;
    }

    private void transferLoop(TransactionManager tm, Bank a, Bank b, int seed, AtomicLong next, AtomicLong committed,
                              AtomicLong refused, AtomicLong failed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (XaSession sa = new XaSession(a); XaSession sb = new XaSession(b)) {
            while (next.getAndIncrement() < transfers) {
                int from = random.nextInt(ACCOUNTS);
                int to = random.nextInt(ACCOUNTS);
                long amount = 1 + random.nextInt(400);
                boolean aToB = random.nextBoolean();
                XaSession debit = aToB ? sa : sb;
                XaSession credit = aToB ? sb : sa;
                try {
                    tm.begin();
                    tm.getTransaction().enlistResource(debit.resource);
                    tm.getTransaction().enlistResource(credit.resource);
                    if (!Bank.apply(debit.connection, from, -amount)) {
                        tm.rollback();
                        refused.incrementAndGet();
                        continue;
                    }
                    Bank.apply(credit.connection, to, amount);
                    tm.commit();
                    committed.incrementAndGet();
                } catch (RollbackException e) {
                    failed.incrementAndGet();
                    spec.commandLine().getErr().println("transfer rolled back: " + e.getMessage());
                } catch (Exception e) {
                    failed.incrementAndGet();
                    spec.commandLine().getErr().println("transfer failed: " + e);
                    try {
                        if (tm.getTransaction() != null) {
                            tm.rollback();
                        }
                    } catch (Exception ignored) {
                        // already reported
                    }
                }
            }
        } catch (Exception e) {
            failed.incrementAndGet();
            spec.commandLine().getErr().println("demo worker failed: " + e);
        }
    }

    private static PledgeXAResource xaResourceFor(Bank bank) {
        try {
            XAConnection xa = bank.openXa();
            return PledgeXAResource.named(bank.name, false, xa.getXAResource(), xa::close);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open " + bank.name + ": " + e.getMessage(), e);
        }
    }

    /** One thread's XA connection to one bank, reused for every transfer. */
    private static final class XaSession implements AutoCloseable {
        final XAConnection xa;
        final Connection connection;
        final PledgeXAResource resource;

        XaSession(Bank bank) throws Exception {
            this.xa = bank.openXa();
            this.connection = xa.getConnection();
            this.resource = PledgeXAResource.named(bank.name, false, xa.getXAResource());
        }

        @Override
        public void close() throws Exception {
            connection.close();
            xa.close();
        }
    }
}
