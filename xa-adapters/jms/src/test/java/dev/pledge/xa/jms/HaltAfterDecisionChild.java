package dev.pledge.xa.jms;

import dev.pledge.tm.TransactionService;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * Child JVM: sends one message through a {@link TransactionalConnectionFactory} named
 * "orders-broker" in a transaction whose first branch halts the JVM in phase two, after the commit
 * decision is logged, leaving the broker's branch prepared. Args: log directory, broker URL.
 */
public final class HaltAfterDecisionChild {
    static final String HALTER = "halter";
    static final int HALT_CODE = 77;

    private HaltAfterDecisionChild() {
    }

    public static void main(String[] args) throws Exception {
        TransactionService svc = TransactionalConnectionFactoryTest.service(Path.of(args[0]));
        TransactionalConnectionFactory factory = TransactionalConnectionFactory.builder(svc).name("orders-broker")
                .xaConnectionFactory(new ActiveMQXAConnectionFactory(args[1])).build();
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        tm.getTransaction().enlistResource(new HaltingXAResource(HALTER, HALT_CODE));
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession();
            var m = s.createTextMessage("order 42");
            m.setIntProperty(Messages.ID, 42);
            s.createProducer(s.createQueue("orders")).send(m);
        }
        tm.commit();
        System.out.println("commit returned: the halting resource did not halt");
        System.exit(1);
    }
}
