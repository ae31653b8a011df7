package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checked against the operating system: in a real two-phase run, every byte the journal writes is
 * forced before the next phase-two commit reaches a resource manager. strace records the journal's
 * writes and syncs (by file name) and the renames by which {@link FileResourceManager} commits a
 * prepared branch, in the order the committing thread made them.
 */
class DecisionForcedFirstTest {
    private static final int N = 40;

    @TempDir
    Path tmp;

    @Test
    void everyDecisionIsOnDiskBeforeTheFirstPhaseTwoCommit() throws Exception {
        String trace = Strace.run(tmp, List.of("-y"), "write,fsync,fdatasync,rename,renameat,renameat2", ForceCountChild.class,
                tmp.resolve("log").toString(), String.valueOf(N));
        boolean unforced = false;
        int forces = 0;
        int commits = 0;
        for (String line : trace.lines().toList()) {
            boolean journal = line.contains("/pledge-") && line.contains(".log>");
            if (journal && line.contains(" write(")) {
                unforced = true;
            } else if (journal && (line.contains(" fdatasync(") || line.contains(" fsync("))) {
                unforced = false;
                forces++;
            } else if (line.contains("rename") && line.contains(".committed\"")) {
                assertTrue(!unforced, "a phase-two commit ran while journal bytes were not yet forced:\n" + line);
                commits++;
            }
        }
        assertEquals(2 * N, commits, "every branch committed by renaming its prepared file; trace:\n" + tail(trace));
        assertTrue(forces >= N, forces + " forces for " + N + " decisions");
    }

    private static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
