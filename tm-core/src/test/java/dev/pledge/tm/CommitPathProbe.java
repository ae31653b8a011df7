package dev.pledge.tm;

import jakarta.transaction.TransactionManager;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Not a test: measures the commit path's cost without disk waits (fsync disabled as unsafe):
 * bytes allocated and nanoseconds per two-branch 2PC transaction on one thread.
 * Run: {@code mvn -q -pl tm-core test-compile && java -cp "$(cat cp.txt):tm-core/target/classes:tm-core/target/test-classes" dev.pledge.tm.CommitPathProbe}
 */
final class CommitPathProbe {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        Path log = Files.createTempDirectory("probe");
        try (TransactionService svc = TransactionService.builder().nodeName("probe").logDirectory(log).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build()) {
            TransactionManager tm = svc.transactionManager();
            XAResource a = new Noop("a");
            XAResource b = new Noop("b");
            run(tm, a, b, n / 4); // warm-up
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().getId();
            long bytes0 = threads.getThreadAllocatedBytes(id);
            long t0 = System.nanoTime();
            run(tm, a, b, n);
            long t1 = System.nanoTime();
            long bytes1 = threads.getThreadAllocatedBytes(id);
            System.out.printf("%d transactions: %.0f ns/tx (%.0f tx/s on one thread), %.0f bytes allocated per tx by the committing thread%n",
                    n, (t1 - t0) / (double) n, n / ((t1 - t0) / 1e9), (bytes1 - bytes0) / (double) n);
        }
    }

    private static void run(TransactionManager tm, XAResource a, XAResource b, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            tm.begin();
            tm.getTransaction().enlistResource(a);
            tm.getTransaction().enlistResource(b);
            tm.commit();
        }
    }

    private record Noop(String resourceName) implements PledgeXAResource {
        @Override
        public boolean joinable() {
            return false;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource xares) {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public void rollback(Xid xid) {
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return true;
        }

        @Override
        public void start(Xid xid, int flags) {
        }
    }
}
