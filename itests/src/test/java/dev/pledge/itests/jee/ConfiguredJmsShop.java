package dev.pledge.itests.jee;

import dev.pledge.itests.servlet.ShopBroker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;

/** A shop whose JMS connection factory no Java code builds: it comes from {@code pledge.jms.*} settings. */
@ApplicationScoped
public class ConfiguredJmsShop {
    static final String BROKER = "orders-mq";

    @Inject
    @Named(BROKER)
    ConnectionFactory orders;
    @Inject
    TransactionManager tm;

    /**
     * Sends the order message for {@code id} in a transaction; {@code fail} throws after the send (the
     * transaction rolls back), {@code haltAfterPrepares} halts the JVM once the broker's branch is prepared.
     */
    @Transactional
    public void placeOrder(String id, boolean fail, boolean haltAfterPrepares) throws Exception {
        try (Connection c = orders.createConnection(); Session s = c.createSession()) {
            Message m = s.createTextMessage("order " + id);
            m.setStringProperty("orderId", id);
            s.createProducer(s.createQueue(ShopBroker.QUEUE)).send(m);
        }
        if (fail) {
            throw new IllegalStateException("order " + id + " refused after its message was sent");
        }
        if (haltAfterPrepares) {
            tm.getTransaction().enlistResource(new ConfiguredBank.HaltAtPrepare()); // enlisted last: prepared after the broker
        }
    }
}
