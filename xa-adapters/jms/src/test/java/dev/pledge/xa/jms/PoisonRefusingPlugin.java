package dev.pledge.xa.jms;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.transaction.TransactionOperationAbstract;

/** Broker plugin: a transaction that sends a message with kind = 'poison' fails to prepare (the broker votes no). */
final class PoisonRefusingPlugin implements ActiveMQServerMessagePlugin {
    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue) {
        if (tx != null && "poison".equals(message.getStringProperty("kind"))) {
            tx.addOperation(new TransactionOperationAbstract() {
                @Override
                public void beforePrepare(Transaction t) throws Exception {
                    throw new ActiveMQException("the target refuses poison");
                }
            });
        }
    }
}
