package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.Setting;
import dev.pledge.xa.jdbc.TransactionalDataSource;
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
        XADataSource xa = xaDataSource(References.required(attributes, "xaDataSourceClass", name), attributes);
        TransactionalDataSource.Builder b = TransactionalDataSource.builder(References.service(attributes, name))
                .name(References.required(attributes, "dataSourceName", name).value().trim()).xaDataSource(xa);
        Setting max = attributes.get("maxPoolSize");
        if (max != null) {
            References.integer(max, size -> b.maxPoolSize(atLeast(size, 1, "maxPoolSize")));
        }
        Setting min = attributes.get("minPoolSize");
        if (min != null) {
            References.integer(min, size -> b.minPoolSize(atLeast(size, 0, "minPoolSize")));
        }
        Setting acquisition = attributes.get("acquisitionTimeoutSeconds");
        if (acquisition != null) {
            b.acquisitionTimeout(Duration.ofSeconds(References.integer(acquisition)));
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            // e.g. the database is unreachable: say which attributes the data source was made from
            throw new IllegalStateException(e.getMessage() + "; the data source's attributes: " + connectionAttributes(attributes), e);
        }
    }

    private static int atLeast(int value, int min, String attribute) {
        if (value < min) {
            throw new IllegalArgumentException(attribute + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** The {@code xa.*} attributes, passwords left out, for error messages. */
    private static String connectionAttributes(Map<String, Setting> attributes) {
        return attributes.values().stream().filter(s -> s.key().startsWith(XA) && !s.key().toLowerCase(java.util.Locale.ROOT).contains("password"))
                .map(Setting::toString).collect(java.util.stream.Collectors.joining(", "));
    }

    private static XADataSource xaDataSource(Setting className, Map<String, Setting> attributes) throws ReflectiveOperationException {
        XaDataSourceClasses.requireAllowed(className);
        DriverProperties.requireHarmless(attributes.values(), XA);
        XADataSource xa = (XADataSource) References.instantiate(className, XADataSource.class);
        BeanProperties.setAll(xa, XA, attributes);
        return xa;
    }
}
