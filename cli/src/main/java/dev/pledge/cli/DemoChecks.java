package dev.pledge.cli;

import dev.pledge.tm.RecoveryLog;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The end-state checks of {@code pledge demo}: each passes or fails with the figures that decided it. */
final class DemoChecks {
    private DemoChecks() {
    }

    /** One check: its name, whether it passed, and the figures. */
    record Check(String name, boolean ok, String detail) {
        String line() {
            return "  [" + (ok ? "ok" : "FAILED") + "] " + name + ": " + detail;
        }
    }

    static Check moneyConserved(long before, long after) {
        return new Check("money conserved", before == after, "total " + before + " before, " + after + " after");
    }

    static Check allOrNothing(Set<String> inA, Set<String> inB) {
        Set<String> onlyA = minus(inA, inB);
        Set<String> onlyB = minus(inB, inA);
        return new Check("each transfer in both banks or in neither", onlyA.isEmpty() && onlyB.isEmpty(),
                inA.size() + " committed transfers in bank-a, " + inB.size() + " in bank-b"
                        + (onlyA.isEmpty() ? "" : "; only in bank-a: " + sample(onlyA))
                        + (onlyB.isEmpty() ? "" : "; only in bank-b: " + sample(onlyB)));
    }

    static Check oneMessagePerTransfer(Set<String> committed, List<String> messages) {
        Map<String, Integer> counts = new HashMap<>();
        messages.forEach(m -> counts.merge(m, 1, Integer::sum));
        Set<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> missing = minus(committed, counts.keySet());
        Set<String> extra = minus(counts.keySet(), committed);
        return new Check("one message per committed transfer", duplicated.isEmpty() && missing.isEmpty() && extra.isEmpty(),
                messages.size() + " messages for " + committed.size() + " committed transfers"
                        + (duplicated.isEmpty() ? "" : "; duplicated: " + sample(duplicated))
                        + (missing.isEmpty() ? "" : "; missing: " + sample(missing))
                        + (extra.isEmpty() ? "" : "; for transfers that did not commit: " + sample(extra)));
    }

    static Check noPreparedBranch(Map<String, Integer> prepared) {
        return new Check("no prepared branch left", prepared.values().stream().allMatch(n -> n == 0), describe(prepared));
    }

    static Check noLockHeld(int keys, int held) {
        return new Check("no lock held", held == 0, (keys - held) + " of " + keys + " account locks free");
    }

    static Check logEmpty(RecoveryLog.Contents log) {
        return new Check("recovery log empty of completed work", log.inDoubt().isEmpty() && log.heuristics().isEmpty(),
                log.inDoubt().size() + " commit decisions in doubt, " + log.heuristics().size() + " heuristic outcomes");
    }

    static Check noFailedTransfer(Transfers.Result r) {
        return new Check("every transfer committed or was refused for lack of funds", r.failed() == 0,
                r.committed() + " committed, " + r.refused() + " refused, " + r.failed() + " failed");
    }

    /** "bank-a 2, bank-b 0, ..." */
    static String describe(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static String sample(Set<String> ids) {
        return ids.stream().sorted().limit(5).collect(Collectors.joining(", ")) + (ids.size() > 5 ? " and " + (ids.size() - 5) + " more" : "");
    }
}
