package dev.pledge.xa.jms;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * Child JVM: inserts a MariaDB row and sends a message in one transaction whose first branch halts
 * the JVM in phase two, leaving both real branches prepared. Args: log directory, broker URL, id.
 */
public final class DbAndJmsHaltChild {
    private DbAndJmsHaltChild() {
    }

    public static void main(String[] args) throws Exception {
        TransactionService svc = DatabaseAndMessageAtomicityTest.service(Path.of(args[0]));
        TransactionalConnectionFactory jms = TransactionalConnectionFactory.builder(svc).name("orders-broker")
                .xaConnectionFactory(new ActiveMQXAConnectionFactory(args[1])).build();
        TransactionManager tm = svc.transactionManager();
        tm.begin();
        tm.getTransaction().enlistResource(new HaltingXAResource(HaltAfterDecisionChild.HALTER, HaltAfterDecisionChild.HALT_CODE));
        DatabaseAndMessageAtomicityTest.writeBoth(tm, jms, Integer.parseInt(args[2]));
        tm.commit();
        System.out.println("commit returned: the halting resource did not halt");
        System.exit(1);
    }
}
