package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.Setting;
import dev.pledge.jee.ServiceRegistry;
import dev.pledge.tm.TransactionService;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.naming.Name;
import javax.naming.RefAddr;
import javax.naming.Reference;

/** Reading the string attributes of a JNDI reference, and the transaction service they name. */
final class References {
    /** Attributes containers put into references themselves (Tomcat's {@code ResourceRef}, {@code TransactionRef}). */
    private static final Set<String> CONTAINER_ATTRIBUTES = Set.of("factory", "description", "scope", "auth", "singleton",
            "closeMethod", "type", "name");

    private References() {
    }

    /** The reference's string attributes other than the container's own, in order. */
    static Map<String, Setting> attributes(Reference ref, Name name) {
        String origin = "JNDI reference " + (name == null ? ref.getClassName() : name);
        Map<String, Setting> found = new LinkedHashMap<>();
        for (Enumeration<RefAddr> all = ref.getAll(); all.hasMoreElements(); ) {
            RefAddr addr = all.nextElement();
            if (!CONTAINER_ATTRIBUTES.contains(addr.getType()) && addr.getContent() != null) {
                found.put(addr.getType(), new Setting(addr.getType(), addr.getContent().toString(), origin));
            }
        }
        return found;
    }

    /**
     * The service that the Pledge settings among {@code attributes} name: the running one with that
     * {@code nodeName}, else a new one built from them and registered, so that every reference with
     * that node name shares it. Building needs at least {@code logDirectory}, under one of the
     * {@link LogRoots}, or a database log ({@code databaseLog.url} or {@code databaseLog.jndiName},
     * whose URL may not set driver properties that run code, see {@link DriverProperties}): a reference that only names its service must find it running.
     */
    static TransactionService service(Map<String, Setting> attributes, Name name) {
        Map<String, Setting> pledge = new LinkedHashMap<>(attributes);
        pledge.keySet().retainAll(ServiceConfiguration.KEYS);
        Setting node = pledge.get("nodeName");
        if (node == null) {
            throw new IllegalArgumentException("JNDI reference " + name + " has no nodeName attribute: it names the Pledge"
                    + " transaction service that every reference with that nodeName shares");
        }
        String nodeName = node.value().trim();
        return ServiceRegistry.find(nodeName).orElseGet(() -> {
            ServiceConfiguration config = ServiceConfiguration.of(pledge);
            if (!pledge.containsKey("logDirectory") && !config.namesDatabaseLog()) {
                throw new IllegalStateException("No Pledge transaction service '" + nodeName + "' is running, and JNDI reference "
                        + name + " has no logDirectory (or " + ServiceConfiguration.DATABASE_LOG_URL + " / "
                        + ServiceConfiguration.DATABASE_LOG_JNDI_NAME + ") to start it with: give the service's settings on the"
                        + " reference looked up first, or on each");
            }
            if (pledge.containsKey("logDirectory")) {
                LogRoots.requireAllowed(pledge.get("logDirectory"));
            }
            // a database log's URL reaches the driver: the same refusals as a data source's xa.URL
            DriverProperties.requireHarmless(pledge.values(), "databaseLog.");
            return ServiceRegistry.computeIfAbsent(nodeName, () -> config.builder().build());
        });
    }

    /** The attribute {@code key}; fails naming it and the reference when it is missing. */
    static Setting required(Map<String, Setting> attributes, String key, Name name) {
        Setting s = attributes.get(key);
        if (s == null) {
            throw new IllegalArgumentException("JNDI reference " + name + " has no " + key + " attribute");
        }
        return s;
    }

    static int integer(Setting s) {
        try {
            return Integer.parseInt(s.value().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Pledge attribute " + s + " is not a whole number", e);
        }
    }

    /**
     * Gives the whole number {@code s} holds to {@code setter} (a builder's); a value the setter refuses
     * fails naming the attribute, its value and where it was set, not only the builder's option.
     */
    static void integer(Setting s, java.util.function.IntConsumer setter) {
        int value = integer(s);
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Pledge attribute " + s + " is refused: " + e.getMessage(), e);
        }
    }

    /** A new instance of the class {@code className} names, which must be a {@code type}; fails naming the attribute. */
    static Object instantiate(Setting className, Class<?> type) throws ReflectiveOperationException {
        return instantiate(className, type, loader());
    }

    /** {@link #instantiate(Setting, Class)} with the class loaded by {@code loader}. */
    static Object instantiate(Setting className, Class<?> type, ClassLoader loader) throws ReflectiveOperationException {
        Class<?> found;
        try {
            found = Class.forName(className.value().trim(), false, loader); // no static initializer runs before the type check
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("Class of " + className + " is not on the class path", e);
        }
        if (!type.isAssignableFrom(found)) {
            throw new IllegalArgumentException(className + " is not a " + type.getName());
        }
        return found.getConstructor().newInstance();
    }

    private static ClassLoader loader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : References.class.getClassLoader();
    }
}
