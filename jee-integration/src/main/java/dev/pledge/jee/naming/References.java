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
     * {@link LogRoots}: a reference that only names its service must find it running.
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
            if (!pledge.containsKey("logDirectory")) {
                throw new IllegalStateException("No Pledge transaction service '" + nodeName + "' is running, and JNDI reference "
                        + name + " has no logDirectory to start it with: give the service's settings on the reference looked up"
                        + " first, or on each");
            }
            LogRoots.requireAllowed(pledge.get("logDirectory"));
            ServiceConfiguration config = ServiceConfiguration.of(pledge);
            return ServiceRegistry.computeIfAbsent(nodeName, () -> config.builder().build());
        });
    }
}
