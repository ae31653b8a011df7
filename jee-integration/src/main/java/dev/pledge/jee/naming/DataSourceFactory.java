package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.Setting;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;
import javax.sql.XADataSource;

/**
 * JNDI factory of a {@link TransactionalDataSource} for servlet containers, e.g. in Tomcat's context.xml:
 * <pre>{@code
 * <Resource name="jdbc/orders" type="javax.sql.DataSource" closeMethod="close"
 *           factory="dev.pledge.jee.naming.DataSourceFactory" nodeName="app-1"
 *           dataSourceName="orders" xaDataSourceClass="org.postgresql.xa.PGXADataSource"
 *           xa.url="jdbc:postgresql://db/orders" xa.user="app" maxPoolSize="20"/>
 * }</pre>
 * {@code xa.*} attributes are set on the XA data source through its setters; {@code nodeName} names
 * the transaction service it enlists with (see {@link UserTransactionFactory}).
 * <p>
 * A reference is text that whoever can bind a JNDI name controls, so the factory trusts none of it:
 * the XA data source class must be on an allow-list ({@link XaDataSourceClasses}) before it is even
 * loaded, and driver properties that load classes, open files or run code ({@link DriverProperties})
 * are refused, in {@code xa.*} attributes and inside URLs alike.
 */
public final class DataSourceFactory implements ObjectFactory {
    /** This factory's own attributes, besides {@link ServiceConfiguration#KEYS} and {@code xa.*}. */
    public static final List<String> ATTRIBUTES = List.of("dataSourceName", "xaDataSourceClass", "maxPoolSize", "minPoolSize",
            "acquisitionTimeoutSeconds");
    private static final String XA = "xa.";

    @Override
    public Object getObjectInstance(Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment) throws ReflectiveOperationException {
        if (!(obj instanceof Reference ref)) {
            return null;
        }
        Map<String, Setting> attributes = References.attributes(ref, name);
        for (Setting s : attributes.values()) {
            if (!ATTRIBUTES.contains(s.key()) && !ServiceConfiguration.KEYS.contains(s.key()) && !s.key().startsWith(XA)) {
                throw new IllegalArgumentException("Unknown attribute " + s.key() + " (" + s.origin() + ", value not shown) of a Pledge data source; the known ones are "
                        + ATTRIBUTES + ", " + ServiceConfiguration.KEYS + " and xa.<property of the XA data source>");
            }
        }
        XADataSource xa = xaDataSource(required(attributes, "xaDataSourceClass", name), attributes);
        TransactionalDataSource.Builder b = TransactionalDataSource.builder(References.service(attributes, name))
                .name(required(attributes, "dataSourceName", name).value().trim()).xaDataSource(xa);
        Setting max = attributes.get("maxPoolSize");
        if (max != null) {
            b.maxPoolSize(integer(max));
        }
        Setting min = attributes.get("minPoolSize");
        if (min != null) {
            b.minPoolSize(integer(min));
        }
        Setting acquisition = attributes.get("acquisitionTimeoutSeconds");
        if (acquisition != null) {
            b.acquisitionTimeout(Duration.ofSeconds(integer(acquisition)));
        }
        return b.build();
    }

    private static Setting required(Map<String, Setting> attributes, String key, Name name) {
        Setting s = attributes.get(key);
        if (s == null) {
            throw new IllegalArgumentException("JNDI reference " + name + " of a Pledge data source has no " + key + " attribute");
        }
        return s;
    }

    private static XADataSource xaDataSource(Setting className, Map<String, Setting> attributes) throws ReflectiveOperationException {
        XaDataSourceClasses.requireAllowed(className);
        DriverProperties.requireHarmless(attributes.values(), XA);
        Class<?> type;
        try {
            type = Class.forName(className.value().trim(), false, loader()); // no static initializer runs before the type check
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("Class of " + className + " is not on the class path", e);
        }
        if (!XADataSource.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(className + " is not a javax.sql.XADataSource");
        }
        XADataSource xa = (XADataSource) type.getConstructor().newInstance();
        for (Setting s : attributes.values()) {
            if (s.key().startsWith(XA)) {
                set(xa, s.key().substring(XA.length()), s);
            }
        }
        return xa;
    }

    /** Calls the one-argument setter named after {@code property} (any case) with the value converted to its type. */
    private static void set(XADataSource xa, String property, Setting s) throws IllegalAccessException {
        for (Method m : xa.getClass().getMethods()) {
            if (m.getParameterCount() == 1 && m.getName().equalsIgnoreCase("set" + property)) {
                Object value = convert(m.getParameterTypes()[0], s);
                if (value == null) {
                    continue;
                }
                try {
                    m.invoke(xa, value);
                    return;
                } catch (InvocationTargetException e) {
                    throw new IllegalArgumentException("Setting " + s + " on " + xa.getClass().getName() + " failed: " + e.getCause(), e.getCause());
                }
            }
        }
        throw new IllegalArgumentException(xa.getClass().getName() + " has no setter for " + s
                + " taking a string, number or boolean");
    }

    private static Object convert(Class<?> type, Setting s) {
        String v = s.value().trim();
        try {
            if (type == String.class) {
                return s.value();
            } else if (type == int.class || type == Integer.class) {
                return Integer.valueOf(v);
            } else if (type == long.class || type == Long.class) {
                return Long.valueOf(v);
            } else if (type == boolean.class || type == Boolean.class) {
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(s + " must be true or false");
                }
                return Boolean.valueOf(v);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s + " is not a number", e);
        }
        return null;
    }

    private static int integer(Setting s) {
        try {
            return Integer.parseInt(s.value().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Pledge data source attribute " + s + " is not a whole number", e);
        }
    }

    private static ClassLoader loader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : DataSourceFactory.class.getClassLoader();
    }
}
