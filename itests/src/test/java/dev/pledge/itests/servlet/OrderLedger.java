package dev.pledge.itests.servlet;

import dev.pledge.itests.servlet.ShopClient.Outcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every order the clients tried and what they learnt of it, checked against what the databases and
 * the broker hold: an order the shop said it placed is on PostgreSQL and MariaDB with exactly one
 * message; a stock-out is nowhere; a failed or unanswered order is everywhere (one message) or nowhere.
 */
final class OrderLedger {
    record Attempt(String sku, int quantity, Outcome outcome) {
    }

    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

    void record(String id, String sku, int quantity, Outcome outcome) {
        if (attempts.put(id, new Attempt(sku, quantity, outcome)) != null) {
            throw new IllegalStateException("order id " + id + " tried twice");
        }
    }

    Map<Outcome, Integer> counts() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        attempts.values().forEach(a -> counts.merge(a.outcome(), 1, Integer::sum));
        return counts;
    }

    int count(Outcome outcome) {
        return counts().getOrDefault(outcome, 0);
    }

    /**
     * The problems found comparing the ledger with PostgreSQL's orders, MariaDB's reservations and
     * the broker's messages (order id → count); empty when every order has one outcome everywhere.
     */
    List<String> problems(Map<String, Integer> orders, Map<String, Integer> reservations, Map<String, Integer> messages) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Attempt> e : attempts.entrySet()) {
            String id = e.getKey();
            Attempt a = e.getValue();
            boolean onPostgres = orders.containsKey(id);
            boolean onMariaDb = reservations.containsKey(id);
            int sent = messages.getOrDefault(id, 0);
            boolean everywhere = onPostgres && onMariaDb && sent == 1;
            boolean nowhere = !onPostgres && !onMariaDb && sent == 0;
            boolean consistent = switch (a.outcome()) {
                case PLACED -> everywhere;
                case OUT_OF_STOCK -> nowhere;
                case FAILED, UNANSWERED -> everywhere || nowhere;
            };
            if (!consistent) {
                problems.add("order " + id + " (" + a + "): PostgreSQL " + onPostgres + ", MariaDB " + onMariaDb + ", messages " + sent);
            } else if (everywhere && (orders.get(id) != a.quantity() || reservations.get(id) != a.quantity())) {
                problems.add("order " + id + " (" + a + ") has quantity " + orders.get(id) + " on PostgreSQL and "
                        + reservations.get(id) + " on MariaDB");
            }
        }
        Set<String> unknown = new HashSet<>(orders.keySet());
        unknown.addAll(reservations.keySet());
        unknown.addAll(messages.keySet());
        unknown.removeAll(attempts.keySet());
        unknown.forEach(id -> problems.add("order " + id + " is stored or announced but no client tried it"));
        return problems;
    }
}
