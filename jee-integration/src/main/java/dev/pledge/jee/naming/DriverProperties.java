package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration.Setting;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Driver properties that a JNDI reference may not set, because they make the driver load a class,
 * read or write a file, deserialize, or run a script: with them, whoever can write a reference runs
 * code in the server. Refused as {@code xa.*} attributes and as parameters inside a URL.
 */
final class DriverProperties {
    /** Lower-case names: PostgreSQL, MySQL/MariaDB Connector/J and H2. */
    static final List<String> REFUSED = List.of(
            "socketfactory", "socketfactoryarg", "sslfactory", "sslfactoryarg", "sslhostnameverifier", "sslpasswordcallback",
            "authenticationpluginclassname", "loggerfile", "loggerlevel",
            "autodeserialize", "allowloadlocalinfile", "allowlocalinfile", "allowurlinlocalinfile", "allowloadlocalinfileinpath",
            "queryinterceptors", "statementinterceptors", "exceptioninterceptors", "connectionlifecycleinterceptors",
            "propertiestransform", "logger", "profilereventhandler", "clientinfoprovider", "serverrsapublickeyfile",
            "init", "trace_level_file", "file_lock", "authenticationplugins", "defaultauthenticationplugin");

    private DriverProperties() {
    }

    /** Fails on the first attribute (key {@code prefix + property}) or URL parameter that names a refused property. */
    static void requireHarmless(Collection<Setting> attributes, String prefix) {
        for (Setting s : attributes) {
            if (!s.key().startsWith(prefix)) {
                continue;
            }
            String property = s.key().substring(prefix.length()).toLowerCase(Locale.ROOT);
            if (REFUSED.contains(property)) {
                throw refused(s, property);
            }
            String value = s.value().toLowerCase(Locale.ROOT);
            for (String name : REFUSED) {
                if (containsParameter(value, name)) {
                    throw refused(s, name);
                }
            }
        }
    }

    /** True when {@code value} holds {@code name=} as a parameter: after {@code ?}, {@code &} or {@code ;}, spaces allowed. */
    private static boolean containsParameter(String value, String name) {
        int from = 0;
        while (true) {
            int at = value.indexOf(name, from);
            if (at < 0) {
                return false;
            }
            int before = at - 1;
            while (before >= 0 && Character.isWhitespace(value.charAt(before))) {
                before--;
            }
            int after = at + name.length();
            while (after < value.length() && Character.isWhitespace(value.charAt(after))) {
                after++;
            }
            if (before >= 0 && "?&;".indexOf(value.charAt(before)) >= 0 && after < value.length() && value.charAt(after) == '=') {
                return true;
            }
            from = at + 1;
        }
    }

    private static IllegalArgumentException refused(Setting s, String property) {
        return new IllegalArgumentException("Refused " + s.key() + " (" + s.origin() + "): the driver property '" + property
                + "' can load classes, touch files or run code, so a JNDI reference may not set it; configure the data source in"
                + " code if you really need it");
    }
}
