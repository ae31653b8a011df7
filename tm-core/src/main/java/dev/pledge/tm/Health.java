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

    /** UP: the log can write decisions and the node is not fenced. */
    public boolean isUp() {
        return logUsable && !fenced;
    }
}
