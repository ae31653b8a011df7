package dev.pledge.itests.servlet;

import java.nio.file.Path;

/**
 * What a server's configuration binds for the shop: the Pledge node, its log directory (null to
 * leave the attribute out), the stock database's XA class and URL, and the broker's URL.
 */
record ShopSettings(String nodeName, Path logDirectory, String stockXaClass, String stockUrl, String brokerUrl) {
    static final String DATABASE = "pledge_shop";
    static final String MARIADB_XA = "com.mysql.cj.jdbc.MysqlXADataSource";
    static final String POSTGRES_XA = "org.postgresql.xa.PGXADataSource";
    static final String ARTEMIS_XA = "org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory";
    /** Resource names in the recovery log. */
    static final String STOCK = "shop-stock";
    static final String ORDERS = "shop-orders";
    static final String BROKER = "shop-mq";
    /** Recovery passes this often, so that a restarted server finishes in-doubt work within seconds. */
    static final String RECOVERY_INTERVAL = "2s";

    static ShopSettings of(String nodeName, Path logDirectory, String brokerUrl) {
        return new ShopSettings(nodeName, logDirectory, MARIADB_XA, mariaDbUrl(), brokerUrl);
    }

    ShopSettings withoutLogDirectory() {
        return new ShopSettings(nodeName, null, stockXaClass, stockUrl, brokerUrl);
    }

    ShopSettings withStockXaClass(String className) {
        return new ShopSettings(nodeName, logDirectory, className, stockUrl, brokerUrl);
    }

    ShopSettings withStockUrl(String url) {
        return new ShopSettings(nodeName, logDirectory, stockXaClass, url, brokerUrl);
    }

    static String mariaDbUrl() {
        return "jdbc:mysql://127.0.0.1:3306/" + DATABASE;
    }

    static String postgresUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    }
}
