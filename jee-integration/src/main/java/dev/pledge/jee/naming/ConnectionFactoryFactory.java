package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.Setting;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.jms.XAConnectionFactory;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;

/**
 * JNDI factory of a {@link TransactionalConnectionFactory} (JMS) for servlet containers, e.g. in Tomcat's context.xml:
 * <pre>{@code
 * <Resource name="jms/orders" type="jakarta.jms.ConnectionFactory" closeMethod="close"
 *           factory="dev.pledge.jee.naming.ConnectionFactoryFactory" nodeName="app-1"
 *           connectionFactoryName="orders-mq"
 *           xaConnectionFactoryClass="org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory"
 *           xa.brokerURL="tcp://mq:61616"/>
 * }</pre>
 * {@code xa.*} attributes are set on the XA connection factory through its setters; {@code nodeName}
 * names the transaction service it enlists with (see {@link UserTransactionFactory}).
 */
public final class ConnectionFactoryFactory implements ObjectFactory {
    /** This factory's own attributes, besides {@link ServiceConfiguration#KEYS} and {@code xa.*}. */
    public static final List<String> ATTRIBUTES = List.of("connectionFactoryName", "xaConnectionFactoryClass", "maxConnections",
            "maxSessionsPerConnection");
    private static final String XA = "xa.";

    @Override
    public Object getObjectInstance(Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment) throws ReflectiveOperationException {
        if (!(obj instanceof Reference ref)) {
            return null;
        }
        Map<String, Setting> attributes = References.attributes(ref, name);
        for (Setting s : attributes.values()) {
            if (!ATTRIBUTES.contains(s.key()) && !ServiceConfiguration.KEYS.contains(s.key()) && !s.key().startsWith(XA)) {
                throw new IllegalArgumentException("Unknown attribute " + s + " of a Pledge JMS connection factory; the known ones are "
                        + ATTRIBUTES + ", " + ServiceConfiguration.KEYS + " and xa.<property of the XA connection factory>");
            }
        }
        XAConnectionFactory xa = xaConnectionFactory(References.required(attributes, "xaConnectionFactoryClass", name), attributes);
        TransactionalConnectionFactory.Builder b = TransactionalConnectionFactory.builder(References.service(attributes, name))
                .name(References.required(attributes, "connectionFactoryName", name).value().trim()).xaConnectionFactory(xa);
        Setting max = attributes.get("maxConnections");
        if (max != null) {
            References.integer(max, b::maxConnections);
        }
        Setting sessions = attributes.get("maxSessionsPerConnection");
        if (sessions != null) {
            References.integer(sessions, b::maxSessionsPerConnection);
        }
        return b.build();
    }

    private static XAConnectionFactory xaConnectionFactory(Setting className, Map<String, Setting> attributes)
            throws ReflectiveOperationException {
        Object made = References.instantiate(className, XAConnectionFactory.class);
        BeanProperties.setAll(made, XA, attributes);
        return (XAConnectionFactory) made;
    }
}
