package dev.pledge.tm;

import java.util.List;

/**
 * What one recovery pass did, counted in branches: committed and rolled back by recovery,
 * heuristic outcomes found, and branches still pending (their resource was unreachable, not
 * registered, or failed) that the next pass retries. {@code problems} says why, one line each.
 */
public record RecoveryReport(int committed, int rolledBack, int heuristic, int pending, List<String> problems) {
    public RecoveryReport {
        problems = List.copyOf(problems);
    }

    /** True when nothing is left for a later pass. */
    public boolean isClean() {
        return pending == 0 && problems.isEmpty();
    }

    @Override
    public String toString() {
        return "recovery pass: " + committed + " committed, " + rolledBack + " rolled back, " + heuristic + " heuristic, "
                + pending + " pending" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
    }
}
