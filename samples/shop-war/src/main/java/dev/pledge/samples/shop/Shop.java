package dev.pledge.samples.shop;

import jakarta.jms.ConnectionFactory;
import jakarta.transaction.UserTransaction;
import javax.sql.DataSource;

/**
 * What the shop runs on, all from JNDI: {@code java:comp/UserTransaction}, the stock database
 * ({@code jdbc/stock}, MariaDB), the order database ({@code jdbc/orders}, PostgreSQL) and the
 * order queue's broker ({@code jms/orders}, Artemis).
 */
record Shop(UserTransaction transaction, DataSource stock, DataSource orders, ConnectionFactory broker) {
    /** The servlet context attribute that holds the shop. */
    static final String ATTRIBUTE = Shop.class.getName();
    /** The queue every committed order sends one message to. */
    static final String QUEUE = "shop.orders";
}
