package dev.pledge.tm;

import java.util.ArrayList;
import java.util.List;

/** One ordered, thread-safe log of calls shared by every scripted resource and journal of a test. */
final class CallLog {
    private final List<String> calls = new ArrayList<>();

    synchronized void add(String call) {
        calls.add(call);
    }

    synchronized List<String> all() {
        return List.copyOf(calls);
    }

    synchronized int indexOf(String call) {
        return calls.indexOf(call);
    }

    synchronized int lastIndexStartingWith(String prefix) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    synchronized int firstIndexStartingWith(String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    synchronized long count(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }

    @Override
    public synchronized String toString() {
        return calls.toString();
    }
}
