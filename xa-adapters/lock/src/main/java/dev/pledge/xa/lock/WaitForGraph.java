package dev.pledge.xa.lock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who waits for whom among the transactions of this process. Every waiting request says which
 * transactions keep it waiting; a new or changed edge set is checked for a cycle through its
 * transaction, and the youngest transaction of a cycle (the one that has done the least work)
 * has its waiting request aborted as the victim.
 */
final class WaitForGraph {
    private static final Logger log = LoggerFactory.getLogger(WaitForGraph.class);

    /** A waiting request. */
    interface Waiter {
        Owner owner();

        /** Called (under the graph's monitor) when this request is the deadlock victim. Must not block. */
        void chosenAsVictim(String cycle);
    }

    private final Map<Waiter, Set<Owner>> edges = new LinkedHashMap<>();

    /** Records what {@code w} waits for and resolves every deadlock this closes. */
    synchronized void waiting(Waiter w, Set<Owner> blockers) {
        if (blockers.isEmpty()) {
            edges.remove(w);
            return;
        }
        edges.put(w, Set.copyOf(blockers));
        List<Owner> cycle;
        while ((cycle = cycleThrough(w.owner())) != null) {
            Map<Owner, Long> ages = new HashMap<>();
            for (Waiter x : edges.keySet()) {
                ages.merge(x.owner(), x.owner().age(), Math::max);
            }
            Owner victim = cycle.get(0);
            for (Owner o : cycle) {
                if (ages.getOrDefault(o, Long.MIN_VALUE) > ages.getOrDefault(victim, Long.MIN_VALUE)) {
                    victim = o;
                }
            }
            int at = cycle.indexOf(victim);
            Owner next = cycle.get((at + 1) % cycle.size());
            Waiter chosen = null;
            for (Map.Entry<Waiter, Set<Owner>> e : edges.entrySet()) {
                if (e.getKey().owner().equals(victim) && e.getValue().contains(next)) {
                    chosen = e.getKey();
                    break;
                }
            }
            if (chosen == null) {
                return; // cannot happen: every edge of the cycle comes from a waiter
            }
            String text = describe(cycle, at);
            edges.remove(chosen);
            log.warn("Deadlock {}; aborting the request of {} (youngest)", text, victim);
            chosen.chosenAsVictim(text);
        }
    }

    /** The request stopped waiting (granted, timed out, cancelled). */
    synchronized void done(Waiter w) {
        edges.remove(w);
    }

    /** A shortest cycle from {@code start} back to it, as the list of owners starting with {@code start}, or null. */
    private List<Owner> cycleThrough(Owner start) {
        Map<Owner, Set<Owner>> adj = new HashMap<>();
        for (Map.Entry<Waiter, Set<Owner>> e : edges.entrySet()) {
            adj.computeIfAbsent(e.getKey().owner(), k -> new HashSet<>()).addAll(e.getValue());
        }
        Map<Owner, Owner> parent = new HashMap<>();
        Deque<Owner> queue = new ArrayDeque<>();
        queue.add(start);
        parent.put(start, null);
        while (!queue.isEmpty()) {
            Owner o = queue.poll();
            for (Owner n : adj.getOrDefault(o, Set.of())) {
                if (n.equals(start)) {
                    List<Owner> path = new ArrayList<>();
                    for (Owner p = o; p != null; p = parent.get(p)) {
                        path.add(0, p);
                    }
                    return path;
                }
                if (!parent.containsKey(n)) {
                    parent.put(n, o);
                    queue.add(n);
                }
            }
        }
        return null;
    }

    private static String describe(List<Owner> cycle, int from) {
        List<Owner> rotated = new ArrayList<>(cycle.subList(from, cycle.size()));
        rotated.addAll(cycle.subList(0, from));
        rotated.add(rotated.get(0));
        return rotated.stream().map(Owner::toString).collect(Collectors.joining(" -> "));
    }
}
