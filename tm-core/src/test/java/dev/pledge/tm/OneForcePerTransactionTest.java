package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lone committer pays exactly one force per two-phase transaction: counted by the journal, and
 * checked against the operating system with strace, which counts the fsync/fdatasync calls the
 * whole JVM makes (a run of N transactions minus a run of none).
 */
class OneForcePerTransactionTest {
    private static final int N = 150;

    @TempDir
    Path tmp;

    @Test
    void journalForcesOncePerTwoPhaseTransaction() throws Exception {
        ChildJvm.Result r = ChildJvm.run(tmp.resolve("out"), 120, ForceCountChild.class, tmp.resolve("log").toString(), String.valueOf(N));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("forces=" + N), "expected forces=" + N + " in:\n" + r.output());
    }

    @Test
    void straceSeesOneSyncCallPerTransaction() throws Exception {
        long withTransactions = syncCalls(tmp.resolve("a"), N);
        long without = syncCalls(tmp.resolve("b"), 0);
        assertEquals(N, withTransactions - without, "fsync+fdatasync calls: " + withTransactions + " with " + N + " transactions, "
                + without + " without");
    }

    private long syncCalls(Path dir, int n) throws Exception {
        String summary = Strace.run(dir, List.of("-c"), "fsync,fdatasync", ForceCountChild.class, dir.resolve("log").toString(),
                String.valueOf(n));
        long calls = 0;
        Matcher m = Pattern.compile("^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?(fsync|fdatasync)\\s*$", Pattern.MULTILINE)
                .matcher(summary);
        while (m.find()) {
            calls += Long.parseLong(m.group(1));
        }
        return calls;
    }
}
