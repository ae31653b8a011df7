package dev.pledge.xa.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/** Plain (non-XA) JMS helpers for tests: fill a queue, drain it. */
final class Messages {
    static final String ID = "uid";

    private Messages() {
    }

    static ConnectionFactory plain(TestBroker broker) {
        return new ActiveMQConnectionFactory(broker.url());
    }

    /** Sends count messages with uid = first..first+count-1, in transacted chunks. */
    static void send(ConnectionFactory cf, String queue, int first, int count) throws JMSException {
        send(cf, queue, first, count, i -> null);
    }

    /** As {@link #send(ConnectionFactory, String, int, int)}, with an extra string property "kind" per message. */
    static void send(ConnectionFactory cf, String queue, int first, int count, IntFunction<String> kind) throws JMSException {
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = first; i < first + count; i++) {
                Message m = s.createTextMessage("message " + i);
                m.setIntProperty(ID, i);
                String k = kind.apply(i);
                if (k != null) {
                    m.setStringProperty("kind", k);
                }
                p.send(m);
                if ((i - first) % 500 == 499) {
                    s.commit();
                }
            }
            s.commit();
        }
    }

    /** Receives every message until the queue stays empty for quietMillis, acknowledging them; returns their uids in order. */
    static List<Integer> drain(ConnectionFactory cf, String queue, long quietMillis) throws JMSException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            Message m;
            while ((m = consumer.receive(quietMillis)) != null) {
                ids.add(m.getIntProperty(ID));
                if (ids.size() % 500 == 0) {
                    s.commit();
                }
            }
            s.commit();
        }
        return ids;
    }
}
