package dev.pledge.itests.servlet;

/** Tomcat's conf/context.xml for the shop: the UserTransaction, two XA data sources and a JMS connection factory, all Pledge's. */
final class TomcatContextXml {
    private TomcatContextXml() {
    }

    static String of(ShopSettings s) {
        String log = s.logDirectory() == null ? "" : "logDirectory=\"" + s.logDirectory() + "\" ";
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Context>
                  <WatchedResource>WEB-INF/web.xml</WatchedResource>
                  <Transaction factory="dev.pledge.jee.naming.UserTransactionFactory"
                               nodeName="%1$s" %2$srecoveryInterval="%3$s"/>
                  <Resource name="jdbc/stock" type="javax.sql.DataSource" closeMethod="close"
                            factory="dev.pledge.jee.naming.DataSourceFactory" nodeName="%1$s"
                            dataSourceName="%4$s" xaDataSourceClass="%5$s"
                            xa.url="%6$s" xa.user="root" xa.password="" maxPoolSize="10"/>
                  <Resource name="jdbc/orders" type="javax.sql.DataSource" closeMethod="close"
                            factory="dev.pledge.jee.naming.DataSourceFactory" nodeName="%1$s"
                            dataSourceName="%7$s" xaDataSourceClass="%8$s"
                            xa.url="%9$s" xa.user="postgres" maxPoolSize="10"/>
                  <Resource name="jms/orders" type="jakarta.jms.ConnectionFactory" closeMethod="close"
                            factory="dev.pledge.jee.naming.ConnectionFactoryFactory" nodeName="%1$s"
                            connectionFactoryName="%10$s" xaConnectionFactoryClass="%11$s"
                            xa.brokerURL="%12$s"/>
                </Context>
                """.formatted(s.nodeName(), log, ShopSettings.RECOVERY_INTERVAL, ShopSettings.STOCK, s.stockXaClass(), ShopSettings.mariaDbUrl(),
                ShopSettings.ORDERS, ShopSettings.POSTGRES_XA, ShopSettings.postgresUrl(), ShopSettings.BROKER, ShopSettings.ARTEMIS_XA,
                s.brokerUrl());
    }
}
