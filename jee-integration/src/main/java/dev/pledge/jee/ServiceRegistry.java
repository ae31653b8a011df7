package dev.pledge.jee;

import dev.pledge.tm.TransactionService;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The transaction services that frameworks find by node name. A JNDI {@code ObjectFactory}, a
 * Hibernate {@code JtaPlatformProvider} and a deserialized {@code UserTransaction} are all made by
 * their framework from a class name, with nothing but text to go on, and must still reach the one
 * running service (its log is locked by one service only): this is where they look it up.
 * <p>
 * It holds only services registered explicitly (by the CDI extension, the JNDI factories or the
 * application) and forgets them when they are unregistered; it is per class loader of this jar,
 * so each web application with its own copy has its own.
 */
public final class ServiceRegistry {
    private static final Map<String, TransactionService> SERVICES = new ConcurrentHashMap<>();
    /** Per node name: why a {@code UserTransaction} call is refused on the calling thread now (CDI's guard), or null. */
    private static final Map<String, Supplier<String>> USER_TRANSACTION_GUARDS = new ConcurrentHashMap<>();
    /** Node name → uses taken with {@link #acquire} and not yet given back with {@link #release}. */
    private static final Map<String, Integer> USES = new ConcurrentHashMap<>();

    private ServiceRegistry() {
    }

    /** Makes {@code service} findable under its node name; fails if another service has that name. */
    public static void register(TransactionService service) {
        TransactionService before = SERVICES.putIfAbsent(service.nodeName(), service);
        if (before != null && before != service) {
            throw new IllegalStateException("Another transaction service with node name '" + service.nodeName()
                    + "' is registered already; node names must be unique");
        }
    }

    /** Forgets {@code service} (if it is the one registered under its name). */
    public static void unregister(TransactionService service) {
        SERVICES.remove(service.nodeName(), service);
    }

    /**
     * The service registered under {@code nodeName}, counted as in use until {@link #release}: for
     * applications that share a service started from JNDI, with each other or with their own next
     * deployment (Jetty starts the new one before it stops the old). Fails like {@link #require}.
     */
    public static synchronized TransactionService acquire(String nodeName) {
        TransactionService svc = require(nodeName);
        USES.merge(nodeName, 1, Integer::sum);
        return svc;
    }

    /** Gives back one {@link #acquire}; the last one unregisters and closes the service, as {@link #close} does. */
    public static synchronized void release(String nodeName) {
        if (USES.computeIfPresent(nodeName, (n, uses) -> uses == 1 ? null : uses - 1) == null) {
            close(nodeName);
        }
    }

    /** Unregisters and closes the service registered under {@code nodeName}, if there is one (for a JNDI-started service). */
    public static synchronized void close(String nodeName) {
        USES.remove(nodeName);
        TransactionService svc = SERVICES.remove(nodeName);
        if (svc != null) {
            svc.close();
        }
    }

    /** The service registered under {@code nodeName}, building and registering it first if there is none. */
    public static TransactionService computeIfAbsent(String nodeName, Supplier<TransactionService> build) {
        return SERVICES.computeIfAbsent(nodeName, n -> {
            TransactionService svc = build.get();
            if (!svc.nodeName().equals(n)) {
                svc.close();
                throw new IllegalStateException("built a service named '" + svc.nodeName() + "' for the name '" + n + "'");
            }
            return svc;
        });
    }

    /**
     * Makes {@code refusal} the guard of every {@code UserTransaction} of node {@code nodeName}, also of
     * copies made by serialization: while it gives a reason, their calls throw {@code IllegalStateException}.
     * The CDI extension sets it (no {@code UserTransaction} inside {@code @Transactional} methods).
     */
    public static void guardUserTransactions(String nodeName, Supplier<String> refusal) {
        USER_TRANSACTION_GUARDS.put(nodeName, refusal);
    }

    /** Removes the guard set by {@link #guardUserTransactions}, if it is still {@code refusal}. */
    public static void unguardUserTransactions(String nodeName, Supplier<String> refusal) {
        USER_TRANSACTION_GUARDS.remove(nodeName, refusal);
    }

    /** Why a {@code UserTransaction} call on node {@code nodeName} is refused on this thread now, or null. */
    static String userTransactionRefusal(String nodeName) {
        Supplier<String> guard = USER_TRANSACTION_GUARDS.get(nodeName);
        return guard == null ? null : guard.get();
    }

    public static Optional<TransactionService> find(String nodeName) {
        return Optional.ofNullable(SERVICES.get(nodeName));
    }

    /** The service registered under {@code nodeName}; fails naming the ones there are. */
    public static TransactionService require(String nodeName) {
        TransactionService svc = SERVICES.get(nodeName);
        if (svc == null) {
            throw new IllegalStateException("No Pledge transaction service with node name '" + nodeName
                    + "' is running in this class loader; running: " + names());
        }
        return svc;
    }

    /**
     * The only service registered; with none registered, the only one open in this class loader (a
     * plain or Spring application that built its own); fails naming the candidates if there is none or several.
     */
    public static TransactionService only(String hint) {
        var all = SERVICES.values().toArray(new TransactionService[0]);
        if (all.length == 1) {
            return all[0];
        }
        if (all.length == 0) {
            var open = TransactionService.openServices();
            if (open.size() == 1) {
                return open.get(0);
            }
            throw new IllegalStateException((open.isEmpty() ? "No Pledge transaction service is running in this class loader"
                    : "Several Pledge transaction services are open " + new TreeSet<>(open.stream().map(TransactionService::nodeName).toList())
                            + " and none was chosen") + "; " + hint);
        }
        throw new IllegalStateException("Several Pledge transaction services are running " + names() + " and none was chosen; " + hint);
    }

    private static TreeSet<String> names() {
        return new TreeSet<>(SERVICES.keySet());
    }
}
