package dev.pledge.tm;

import dev.pledge.tm.log.file.FileJournals;
import dev.pledge.tm.log.file.FaultyChannels;

import dev.pledge.tm.log.file.FileJournal;

import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A coordinator whose log force fails under a commit, then crashes ({@code Runtime.halt}).
 * <pre>
 * LOG RM_A RM_B keep|lose    keep: the record reached the file, only the fsync failed; lose: its bytes vanished too
 * </pre>
 * Commits "before", then "unknown" with the failing force, which must throw SystemException and
 * leave both branches prepared; prints {@link #UNKNOWN} and halts with {@link CrashChild#HALT_STATUS}.
 */
final class FailedForceChild {
    static final String UNKNOWN = "outcome unknown: ";

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        FileResourceManager a = new FileResourceManager("rm-a", Path.of(args[1]));
        FileResourceManager b = new FileResourceManager("rm-b", Path.of(args[2]));
        boolean lose = args[3].equals("lose");
        FaultyChannels faulty = new FaultyChannels();
        TransactionService svc = TransactionService.builder().nodeName(CrashChild.NODE).logDirectory(log).recoveryInterval(Duration.ZERO)
                .journal(c -> FileJournals.open(c.logDirectory(), true, FileJournals.DEFAULT_SEGMENT_BYTES, faulty)).build();
        TransactionManager tm = svc.transactionManager();
        commit(tm, a, b, "before");
        faulty.failForce = true;
        faulty.loseWrites = lose;
        try {
            commit(tm, a, b, "unknown");
            System.out.println("the commit returned");
            Runtime.getRuntime().halt(4);
        } catch (SystemException e) {
            System.out.println(UNKNOWN + e.getMessage());
        }
        if (a.preparedBranches().size() != 1 || b.preparedBranches().size() != 1) {
            System.out.println("branches not left prepared: " + a.preparedBranches() + " " + b.preparedBranches());
            Runtime.getRuntime().halt(5);
        }
        Runtime.getRuntime().halt(CrashChild.HALT_STATUS);
    }

    private static void commit(TransactionManager tm, FileResourceManager a, FileResourceManager b, String id) throws Exception {
        FileResourceManager.Connection ca = a.connect();
        FileResourceManager.Connection cb = b.connect();
        tm.begin();
        tm.getTransaction().enlistResource(ca);
        tm.getTransaction().enlistResource(cb);
        ca.write(id);
        cb.write(id);
        tm.commit();
    }
}
