package dev.pledge.cli;

import dev.pledge.cli.DemoChecks.Check;
import dev.pledge.tm.RecoveryLog;
import dev.pledge.tm.RecoveryReport;
import dev.pledge.xa.lock.LockTimeoutException;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The end-to-end demo on embedded resources: money transfers over two H2 databases, an Artemis
 * broker and a lock service, each transfer one XA transaction; then a real coordinator crash in a
 * child JVM in mid-commit, recovery in this one, and checks of the end state.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs XA money transfers on embedded resources (two H2 databases, an Artemis broker, in-process locks),",
                "crashes a coordinator JVM in mid-commit, recovers it, and verifies the end state. Exit 0 when every check passes."})
final class DemoCommand implements Callable<Integer> {
    private static final String MARKER = ".pledge-demo";
    private static final int CRASH_FROM = 40;

    @Spec
    CommandSpec spec;

    @Option(names = "--transfers", defaultValue = "1000", description = "Transfers to run before the crash (default ${DEFAULT-VALUE}).")
    int transfers;

    @Option(names = "--threads", defaultValue = "8", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dir", description = "Directory for the databases, broker journal and recovery log, kept afterwards"
            + " (default: a temporary directory, removed when every check passed).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (transfers < 1 || threads < 1 || threads > 64) {
            throw new IllegalArgumentException("--transfers must be at least 1 and --threads between 1 and 64");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = workDirectory();
        out.printf("pledge demo in %s%n", work);
        out.println("  each transfer is one XA transaction: lock both accounts, debit one H2 bank, credit the other, send one JMS message");

        out.printf("1. %d transfers on %d threads%n", transfers, threads);
        Transfers.Result run;
        try (DemoSystem sys = DemoSystem.open(work, threads)) {
            sys.a.create(DemoSystem.ACCOUNTS, DemoSystem.OPENING_BALANCE);
            sys.b.create(DemoSystem.ACCOUNTS, DemoSystem.OPENING_BALANCE);
            Progress progress = new Progress(out, Progress.onTerminal(), transfers);
            run = Transfers.normal(sys, "t", progress, err::println).run(transfers, threads, 1);
        }
        out.printf("  %d committed, %d refused for lack of funds, %d failed in %.2f s%n", run.committed(), run.refused(), run.failed(),
                run.nanos() / 1e9);

        out.println("2. coordinator crash in mid-commit");
        crashChild(work, out);
        RecoveryLog.Contents logAfterCrash = RecoveryLog.inspect(DemoSystem.logDirectory(work));
        out.printf("  the log holds %d commit decision(s) whose branches did not all finish:%n", logAfterCrash.inDoubt().size());
        logAfterCrash.inDoubt().forEach(d -> out.printf("    %s  branches: %s%n", d.gtrid(),
                d.branches().stream().map(RecoveryLog.Branch::resource).collect(Collectors.joining(", "))));

        out.println("3. recovery in a new coordinator on the same log");
        List<Check> checks = new ArrayList<>();
        checks.add(DemoChecks.noFailedTransfer(run));
        try (DemoSystem sys = DemoSystem.open(work, 2)) {
            out.printf("  prepared branches the crash left: %s%n", DemoChecks.describe(sys.preparedBranches()));
            RecoveryReport report = sys.svc.recovery().runPass();
            out.printf("  %s%n", report);

            out.println("4. verification");
            long expected = 2L * DemoSystem.ACCOUNTS * DemoSystem.OPENING_BALANCE;
            checks.add(DemoChecks.moneyConserved(expected, sys.a.total() + sys.b.total()));
            Set<String> inA = sys.a.transfers();
            checks.add(DemoChecks.allOrNothing(inA, sys.b.transfers()));
            checks.add(DemoChecks.oneMessagePerTransfer(inA, sys.broker.drain(DemoSystem.QUEUE)));
            checks.add(DemoChecks.noPreparedBranch(sys.preparedBranches()));
            checks.add(DemoChecks.noLockHeld(DemoSystem.ACCOUNTS * 2, heldLocks(sys)));
        }
        checks.add(DemoChecks.logEmpty(RecoveryLog.inspect(DemoSystem.logDirectory(work))));
        checks.forEach(c -> out.println(c.line()));
        out.printf("throughput: %.0f tx/s (%d transfers committed on %d threads; forced log, four XA branches each)%n", run.perSecond(),
                run.committed(), threads);
        boolean ok = checks.stream().allMatch(Check::ok);
        if (ok && dir == null) {
            deleteTree(work);
        }
        out.println(ok ? "OK" : "FAILED (the demo directory " + work + " is kept for inspection)");
        return ok ? 0 : 1;
    }

    /** Runs transfers in a child JVM on the same directory until one of them halts it in phase two. */
    private void crashChild(Path work, PrintWriter out) throws IOException, InterruptedException {
        Path output = work.resolve("crashed-coordinator.out");
        ChildJvm.Exit exit = ChildJvm.run(CrashChild.class, output, 120, work.toString(), "100000", Integer.toString(threads),
                Integer.toString(CRASH_FROM));
        String halted = exit.output().lines().filter(l -> l.startsWith("halting in phase two")).findFirst().orElse(null);
        if (exit.status() != CrashPoint.HALT_STATUS || halted == null) {
            throw new IllegalStateException("the coordinator JVM that should have crashed exited with status " + exit.status()
                    + " instead of halting in mid-commit; its output is in " + output);
        }
        out.printf("  a coordinator JVM (pid %d) on the same directory ran transfers on %d threads, then Runtime.halt(%d):%n", exit.pid(),
                threads, exit.status());
        out.printf("    %s%n", halted);
    }

    /** Tries every account lock without waiting, in one transaction that is then rolled back. */
    private static int heldLocks(DemoSystem sys) throws Exception {
        TransactionManager tm = sys.svc.transactionManager();
        int held = 0;
        tm.begin();
        try {
            for (Bank bank : List.of(sys.a, sys.b)) {
                for (int i = 0; i < DemoSystem.ACCOUNTS; i++) {
                    try {
                        sys.locks.tryLock(DemoSystem.lockKey(bank, i), Duration.ZERO);
                    } catch (LockTimeoutException e) {
                        held++;
                    }
                }
            }
        } finally {
            tm.rollback();
        }
        return held;
    }

    /** The --dir directory (empty, new, or an earlier demo's, which is cleared) or a new temporary one. */
    private Path workDirectory() throws IOException {
        if (dir == null) {
            Path tmp = Files.createTempDirectory("pledge-demo-");
            Files.createFile(tmp.resolve(MARKER));
            return tmp;
        }
        Path d = dir.toAbsolutePath();
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new IllegalArgumentException("--dir " + d + " is a file; give a new or empty directory");
        }
        if (Files.isDirectory(d)) {
            boolean empty;
            try (Stream<Path> s = Files.list(d)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(d.resolve(MARKER))) {
                throw new IllegalArgumentException("--dir " + d + " is not empty and was not made by 'pledge demo'; give a new or empty directory");
            }
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.toList()) {
                    deleteTree(p);
                }
            }
        }
        Files.createDirectories(d);
        Files.createFile(d.resolve(MARKER));
        return d;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
