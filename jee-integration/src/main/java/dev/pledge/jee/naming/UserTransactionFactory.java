package dev.pledge.jee.naming;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceConfiguration.Setting;
import java.util.Hashtable;
import java.util.Map;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;

/**
 * JNDI factory of {@code java:comp/UserTransaction} for servlet containers, e.g. Tomcat's
 * {@code <Transaction factory="dev.pledge.jee.naming.UserTransactionFactory" nodeName="app-1"
 * logDirectory="/var/lib/app/pledge-log"/>}. The attributes are {@link ServiceConfiguration#KEYS};
 * the service is started on first lookup and shared, by node name, with the data sources of
 * {@link DataSourceFactory}. It also turns the reference of a {@link PledgeUserTransaction} back into one.
 */
public final class UserTransactionFactory implements ObjectFactory {
    @Override
    public Object getObjectInstance(Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment) {
        if (!(obj instanceof Reference ref)) {
            return null;
        }
        Map<String, Setting> attributes = References.attributes(ref, name);
        for (Setting s : attributes.values()) {
            if (!ServiceConfiguration.KEYS.contains(s.key())) {
                throw new IllegalArgumentException("Unknown attribute " + s.key() + " (" + s.origin() + ", value not shown) of a Pledge UserTransaction; the known ones are "
                        + ServiceConfiguration.KEYS);
            }
        }
        return PledgeUserTransaction.of(References.service(attributes, name));
    }
}
