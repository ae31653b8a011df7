package dev.pledge.cli;

import jakarta.jms.Session;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Money transfers between the demo's two banks, the way an application writes them: each transfer
 * is one Pledge transaction that locks both account ids, debits one bank, credits the other and
 * sends one JMS notification, so four XA branches (locks, bank-a, bank-b, broker) commit or roll
 * back together. A transfer that would overdraw its account is rolled back ("refused").
 */
final class Transfers {
    /** How a run ended. */
    record Result(long committed, long refused, long failed, long nanos) {
        double perSecond() {
            return nanos == 0 ? 0 : committed * 1e9 / nanos;
        }
    }

    private static final int ERRORS_SHOWN = 5;

    private final DemoSystem sys;
    private final String prefix;
    private final Progress progress;
    private final Consumer<String> errors;
    private final int crashFrom;
    private final PrintStream crashReport;
    private final AtomicInteger errorsShown = new AtomicInteger();
    private final AtomicBoolean crashed = new AtomicBoolean();

    private Transfers(DemoSystem sys, String prefix, Progress progress, Consumer<String> errors, int crashFrom, PrintStream crashReport) {
        this.sys = sys;
        this.prefix = prefix;
        this.progress = progress;
        this.errors = errors;
        this.crashFrom = crashFrom;
        this.crashReport = crashReport;
    }

    /** Transfers with ids {@code PREFIX-n}, reported to {@code progress} (may be null). */
    static Transfers normal(DemoSystem sys, String prefix, Progress progress, Consumer<String> errors) {
        return new Transfers(sys, prefix, progress, errors, Integer.MAX_VALUE, null);
    }

    /** Transfers whose number {@code crashFrom} and later carry a {@link CrashPoint}: the first of them to reach phase two halts the JVM. */
    static Transfers crashing(DemoSystem sys, String prefix, int crashFrom, PrintStream report, Consumer<String> errors) {
        return new Transfers(sys, prefix, null, errors, crashFrom, report);
    }

    Result run(int count, int threads, long seed) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicLong committed = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000 + t);
            Thread w = new Thread(() -> {
                int n;
                while ((n = next.getAndIncrement()) < count) {
                    try {
                        if (transfer(prefix + "-" + n, random, n >= crashFrom)) {
                            committed.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        if (errorsShown.getAndIncrement() < ERRORS_SHOWN) {
                            errors.accept("transfer " + prefix + "-" + n + " failed: " + e);
                        }
                    }
                    if (progress != null) {
                        progress.step();
                    }
                }
            }, "transfer-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (progress != null) {
            progress.finish();
        }
        return new Result(committed.get(), refused.get(), failed.get(), System.nanoTime() - started);
    }

    /** One transfer in one transaction; false if refused for lack of funds (rolled back). */
    private boolean transfer(String id, SplittableRandom random, boolean crash) throws Exception {
        boolean aToB = random.nextBoolean();
        Bank debitBank = aToB ? sys.a : sys.b;
        Bank creditBank = aToB ? sys.b : sys.a;
        int from = random.nextInt(DemoSystem.ACCOUNTS);
        int to = random.nextInt(DemoSystem.ACCOUNTS);
        long amount = 1 + random.nextInt(400);
        TransactionManager tm = sys.svc.transactionManager();
        tm.begin();
        try {
            if (crash) {
                tm.getTransaction().enlistResource(CrashPoint.armed(crashed, crashReport, id));
            }
            String debitKey = DemoSystem.lockKey(debitBank, from);
            String creditKey = DemoSystem.lockKey(creditBank, to);
            // always in the same order, so two transfers never wait for each other in a circle
            sys.locks.lock(debitKey.compareTo(creditKey) < 0 ? debitKey : creditKey);
            sys.locks.lock(debitKey.compareTo(creditKey) < 0 ? creditKey : debitKey);
            boolean funded;
            try (Connection c = (aToB ? sys.dsA : sys.dsB).getConnection()) {
                funded = Bank.apply(c, id, from, -amount);
            }
            if (!funded) {
                tm.rollback();
                return false;
            }
            try (Connection c = (aToB ? sys.dsB : sys.dsA).getConnection()) {
                Bank.apply(c, id, to, amount);
            }
            try (jakarta.jms.Connection c = sys.jms.createConnection()) {
                Session s = c.createSession();
                s.createProducer(s.createQueue(DemoSystem.QUEUE)).send(s.createTextMessage(id));
            }
            tm.commit();
            return true;
        } catch (Exception | Error e) {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                try {
                    tm.rollback();
                } catch (Exception x) {
                    e.addSuppressed(x);
                }
            }
            throw e;
        }
    }
}
