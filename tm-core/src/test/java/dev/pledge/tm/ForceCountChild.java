package dev.pledge.tm;

import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Runs N two-branch transactions on one thread over a durable log, then prints the journal's force count. */
final class ForceCountChild {
    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path rm = Files.createTempDirectory("force-rm");
        FileResourceManager a = new FileResourceManager("rm-a", rm.resolve("a"));
        FileResourceManager b = new FileResourceManager("rm-b", rm.resolve("b"));
        try (TransactionService svc = TransactionService.builder().nodeName("force").logDirectory(log)
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            long before = svc.journal().forceCount();
            for (int i = 0; i < n; i++) {
                tm.begin();
                FileResourceManager.Connection ca = a.connect();
                FileResourceManager.Connection cb = b.connect();
                tm.getTransaction().enlistResource(ca);
                tm.getTransaction().enlistResource(cb);
                ca.write("tx-" + i);
                cb.write("tx-" + i);
                tm.commit();
            }
            System.out.println("forces=" + (svc.journal().forceCount() - before));
        }
    }
}
