package dev.pledge.xa.lock;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one grant rule of both backends. The requests on a key form a queue in arrival order
 * (granted ones included, in their place). A request is granted when nothing before it stands
 * in its way:
 * <ul>
 * <li>an exclusive request: every earlier request is of the same transaction;</li>
 * <li>a shared request: no earlier exclusive request is of another transaction.</li>
 * </ul>
 * So the oldest request wins, and a shared request behind a waiting exclusive one waits.
 */
final class QueueRule {
    private QueueRule() {
    }

    /** An entry of a key's queue. */
    interface Entry {
        Owner owner();

        LockMode mode();
    }

    /** The transactions that keep entry {@code index} waiting, in queue order; empty when it may be granted. */
    static Set<Owner> blockers(List<? extends Entry> queue, int index) {
        Entry me = queue.get(index);
        Set<Owner> in = new LinkedHashSet<>();
        for (int i = 0; i < index; i++) {
            Entry e = queue.get(i);
            if (e.owner().equals(me.owner())) {
                continue;
            }
            if (me.mode() == LockMode.EXCLUSIVE || e.mode() == LockMode.EXCLUSIVE) {
                in.add(e.owner());
            }
        }
        return in;
    }

    /** Index of the nearest earlier entry that blocks entry {@code index}, or -1: the one to watch. */
    static int nearestBlocker(List<? extends Entry> queue, int index) {
        Entry me = queue.get(index);
        for (int i = index - 1; i >= 0; i--) {
            Entry e = queue.get(i);
            if (!e.owner().equals(me.owner()) && (me.mode() == LockMode.EXCLUSIVE || e.mode() == LockMode.EXCLUSIVE)) {
                return i;
            }
        }
        return -1;
    }
}
