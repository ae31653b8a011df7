package dev.pledge.itests.servlet;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jetty's context XML for the shop (webapps/shop.xml): the WebAppContext of the WAR, and in JNDI
 * the UserTransaction (environment ee10) and the webapp's data sources and JMS connection factory,
 * each bound as a {@code javax.naming.Reference} to one of Pledge's factories, resolved on lookup.
 */
final class JettyContextXml {
    private JettyContextXml() {
    }

    static String of(ShopSettings s, Path war) {
        Map<String, String> service = new LinkedHashMap<>();
        service.put("nodeName", s.nodeName());
        if (s.logDirectory() != null) {
            service.put("logDirectory", s.logDirectory().toString());
        }
        service.put("recoveryInterval", ShopSettings.RECOVERY_INTERVAL);

        Map<String, String> stock = new LinkedHashMap<>(service);
        stock.put("dataSourceName", ShopSettings.STOCK);
        stock.put("xaDataSourceClass", s.stockXaClass());
        stock.put("xa.url", s.stockUrl());
        stock.put("xa.user", "root");
        stock.put("xa.password", "");
        stock.put("maxPoolSize", "10");

        Map<String, String> orders = new LinkedHashMap<>(service);
        orders.put("dataSourceName", ShopSettings.ORDERS);
        orders.put("xaDataSourceClass", ShopSettings.POSTGRES_XA);
        orders.put("xa.url", ShopSettings.postgresUrl());
        orders.put("xa.user", "postgres");
        orders.put("maxPoolSize", "10");

        Map<String, String> broker = new LinkedHashMap<>(service);
        broker.put("connectionFactoryName", ShopSettings.BROKER);
        broker.put("xaConnectionFactoryClass", ShopSettings.ARTEMIS_XA);
        broker.put("xa.brokerURL", s.brokerUrl());

        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
                <Configure id="wac" class="org.eclipse.jetty.ee10.webapp.WebAppContext">
                  <Set name="contextPath">/shop</Set>
                  <Set name="war">%s</Set>
                  <New class="org.eclipse.jetty.plus.jndi.Transaction">
                    <Arg>ee10</Arg>
                    <Arg>%s</Arg>
                  </New>
                  <New class="org.eclipse.jetty.plus.jndi.Resource">
                    <Arg><Ref refid="wac"/></Arg>
                    <Arg>jdbc/stock</Arg>
                    <Arg>%s</Arg>
                  </New>
                  <New class="org.eclipse.jetty.plus.jndi.Resource">
                    <Arg><Ref refid="wac"/></Arg>
                    <Arg>jdbc/orders</Arg>
                    <Arg>%s</Arg>
                  </New>
                  <New class="org.eclipse.jetty.plus.jndi.Resource">
                    <Arg><Ref refid="wac"/></Arg>
                    <Arg>jms/orders</Arg>
                    <Arg>%s</Arg>
                  </New>
                </Configure>
                """.formatted(war, reference("jakarta.transaction.UserTransaction", "dev.pledge.jee.naming.UserTransactionFactory", service),
                reference("javax.sql.DataSource", "dev.pledge.jee.naming.DataSourceFactory", stock),
                reference("javax.sql.DataSource", "dev.pledge.jee.naming.DataSourceFactory", orders),
                reference("jakarta.jms.ConnectionFactory", "dev.pledge.jee.naming.ConnectionFactoryFactory", broker));
    }

    /** {@code new javax.naming.Reference(type, factory, null)} with a StringRefAddr per attribute, in Jetty's XML. */
    private static String reference(String type, String factory, Map<String, String> attributes) {
        StringBuilder b = new StringBuilder("\n      <New class=\"javax.naming.Reference\">\n        <Arg type=\"java.lang.String\">")
                .append(type).append("</Arg>\n        <Arg type=\"java.lang.String\">").append(factory)
                .append("</Arg>\n        <Arg type=\"java.lang.String\"></Arg>\n");
        attributes.forEach((k, v) -> b.append("        <Call name=\"add\"><Arg><New class=\"javax.naming.StringRefAddr\"><Arg>").append(k)
                .append("</Arg><Arg>").append(v).append("</Arg></New></Arg></Call>\n"));
        return b.append("      </New>\n    ").toString();
    }
}
