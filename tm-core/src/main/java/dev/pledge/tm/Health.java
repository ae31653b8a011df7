package dev.pledge.tm;

import java.time.Duration;
import java.time.Instant;

/**
 * What an operator needs to know about one {@link TransactionService} at a glance, taken by
 * {@link TransactionService#health()}. Immutable.
 *
 * @param node             the service's node name
 * @param takenAt          when this view was taken
 * @param logUsable        the recovery log can write commit decisions, as far as the service knows
 * @param logProblem       why it cannot (failed, unreachable, fenced, closed, or its state unreadable), or null
 * @param fenced           another service took this node over: the log refuses decisions for good
 * @param inDoubtDecisions commit decisions whose branches are not all finished yet; -1 when the log cannot tell
 * @param heuristicOutcomes heuristic outcomes kept in the log until an operator resolves them; -1 when the log cannot tell
 * @param lastRecoveryPass the last recovery pass of this service, or null before the first one ends
 * @param inFlight         transactions begun and not completed
 * @param oldestInFlight   age of the oldest of them ({@link Duration#ZERO} when there is none)
 */
public record Health(String node, Instant takenAt, boolean logUsable, String logProblem, boolean fenced, int inDoubtDecisions,
                     int heuristicOutcomes, RecoveryPass lastRecoveryPass, int inFlight, Duration oldestInFlight) {

    /**
     * One finished recovery pass.
     *
     * @param finishedAt when it ended
     * @param report     what it did; {@link RecoveryReport#isClean()} says whether anything is left for a later pass
     */
    public record RecoveryPass(Instant finishedAt, RecoveryReport report) {
        /** True when the pass left nothing for a later one. */
        public boolean isClean() {
            return report.isClean();
        }
    }

    /** How every text view names {@link #inDoubtDecisions}: {@link #summary()} and {@code pledge log inspect}. */
    public static final String IN_DOUBT_WORDS = "in doubt (committed, branches unfinished)";
    /** How every text view names {@link #heuristicOutcomes}, likewise. */
    public static final String HEURISTIC_WORDS = "heuristic outcomes awaiting resolution";

    /**
     * The view as lines for an operator, in the words {@code pledge log inspect} uses for the same
     * figures: UP or DOWN, the log's state, the in-doubt and heuristic counts, transactions in flight,
     * the last recovery pass.
     */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append("node ").append(node).append(": ").append(isUp() ? "UP" : "DOWN").append('\n');
        b.append("log: ").append(logUsable ? "usable" : "NOT usable: " + logProblem).append(fenced ? " (node fenced)" : "").append('\n');
        b.append(IN_DOUBT_WORDS).append(": ").append(count(inDoubtDecisions)).append('\n');
        b.append(HEURISTIC_WORDS).append(": ").append(count(heuristicOutcomes)).append('\n');
        b.append("in flight: ").append(count(inFlight)).append(" (oldest ").append(oldestInFlight.toMillis()).append(" ms)\n");
        b.append("last recovery pass: ").append(lastRecoveryPass == null ? "none yet"
                : lastRecoveryPass.finishedAt() + (lastRecoveryPass.isClean() ? ", clean" : ", left work: " + lastRecoveryPass.report())).append('\n');
        return b.toString();
    }

    private static String count(int n) {
        return n < 0 ? "unknown" : Integer.toString(n);
    }

    /** UP: the log can write decisions and the node is not fenced. */
    public boolean isUp() {
        return logUsable && !fenced;
    }
}
