package dev.pledge.samples.shop;

import jakarta.jms.JMSContext;
import jakarta.jms.TextMessage;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;

/**
 * One order in one transaction over three resources: the order row on PostgreSQL, its message on
 * Artemis, and on MariaDB the stock taken and a reservation row under the order's id. The order is written and its message sent
 * before the stock is reserved, so that a stock-out has something to roll back on every resource.
 */
final class PlaceOrder {
    private final Shop shop;

    PlaceOrder(Shop shop) {
        this.shop = shop;
    }

    /** True when the order committed, false when it was rolled back for want of stock. */
    boolean place(Order order) throws Exception {
        UserTransaction ut = shop.transaction();
        ut.begin();
        try {
            writeOrder(order);
            sendMessage(order);
            if (!reserveStock(order)) {
                ut.rollback();
                return false;
            }
            ut.commit();
            return true;
        } catch (Exception | Error e) {
            if (ut.getStatus() != Status.STATUS_NO_TRANSACTION) {
                try {
                    ut.rollback();
                } catch (Exception rollback) {
                    e.addSuppressed(rollback);
                }
            }
            throw e;
        }
    }

    private void writeOrder(Order order) throws Exception {
        try (Connection c = shop.orders().getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO shop_orders (id, sku, quantity) VALUES (?, ?, ?)")) {
            s.setString(1, order.id());
            s.setString(2, order.sku());
            s.setInt(3, order.quantity());
            s.executeUpdate();
        }
    }

    private void sendMessage(Order order) {
        try (JMSContext jms = shop.broker().createContext()) {
            TextMessage m = jms.createTextMessage(order.json());
            m.setStringProperty("orderId", order.id());
            jms.createProducer().send(jms.createQueue(Shop.QUEUE), m);
        } catch (jakarta.jms.JMSException e) {
            throw new jakarta.jms.JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
        }
    }

    /** Takes the quantity off the SKU's stock and records the reservation under the order's id, if there is enough. */
    private boolean reserveStock(Order order) throws Exception {
        try (Connection c = shop.stock().getConnection()) {
            try (PreparedStatement s = c.prepareStatement("UPDATE shop_stock SET quantity = quantity - ? WHERE sku = ? AND quantity >= ?")) {
                s.setInt(1, order.quantity());
                s.setString(2, order.sku());
                s.setInt(3, order.quantity());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO shop_reservations (order_id, sku, quantity) VALUES (?, ?, ?)")) {
                s.setString(1, order.id());
                s.setString(2, order.sku());
                s.setInt(3, order.quantity());
                s.executeUpdate();
            }
            return true;
        }
    }
}
