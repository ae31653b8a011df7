package dev.pledge.itests.servlet;

/**
 * Tomcat's conf/context.xml for the shop: the UserTransaction, two XA data sources and a JMS
 * connection factory, all Pledge's. Each element carries the service's settings: Tomcat looks the
 * resources up while it builds the context, in an order of its own, and whichever comes first
 * starts the service that the others then share.
 */
final class TomcatContextXml {
    private TomcatContextXml() {
    }

    static String of(ShopSettings s) {
        String service = "nodeName=\"" + s.nodeName() + "\" " + (s.logDirectory() == null ? "" : "logDirectory=\"" + s.logDirectory() + "\" ")
                + "recoveryInterval=\"" + ShopSettings.RECOVERY_INTERVAL + "\"";
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Context>
                  <WatchedResource>WEB-INF/web.xml</WatchedResource>
                  <Transaction factory="dev.pledge.jee.naming.UserTransactionFactory"
                               %1$s/>
                  <Resource name="jdbc/stock" type="javax.sql.DataSource" closeMethod="close"
                            factory="dev.pledge.jee.naming.DataSourceFactory" %1$s
                            dataSourceName="%2$s" xaDataSourceClass="%3$s"
                            xa.url="%4$s" xa.user="root" xa.password="" maxPoolSize="10"/>
                  <Resource name="jdbc/orders" type="javax.sql.DataSource" closeMethod="close"
                            factory="dev.pledge.jee.naming.DataSourceFactory" %1$s
                            dataSourceName="%5$s" xaDataSourceClass="%6$s"
                            xa.url="%7$s" xa.user="postgres" maxPoolSize="10"/>
                  <Resource name="jms/orders" type="jakarta.jms.ConnectionFactory" closeMethod="close"
                            factory="dev.pledge.jee.naming.ConnectionFactoryFactory" %1$s
                            connectionFactoryName="%8$s" xaConnectionFactoryClass="%9$s"
                            xa.brokerURL="%10$s"/>
                </Context>
                """.formatted(service, ShopSettings.STOCK, s.stockXaClass(), s.stockUrl(),
                ShopSettings.ORDERS, ShopSettings.POSTGRES_XA, ShopSettings.postgresUrl(), ShopSettings.BROKER, ShopSettings.ARTEMIS_XA,
                s.brokerUrl());
    }
}
