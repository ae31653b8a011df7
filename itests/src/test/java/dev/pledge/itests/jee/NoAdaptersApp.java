package dev.pledge.itests.jee;

import dev.pledge.jee.cdi.PledgeExtension;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * A CDI application without JDBC or JMS, run by {@link NoAdaptersCdiTest} in a JVM that has neither
 * pledge-xa-jdbc nor pledge-xa-jms (nor Agroal, pooled-jms, the JMS API): Weld SE with Pledge's
 * extension, one {@code @Transactional} method that commits and one that rolls back; then a
 * deployment with a {@code pledge.datasource.*} key, which must fail saying that pledge-xa-jdbc is
 * needed; then one with a {@code pledge.jms.*} key, which must fail saying that pledge-xa-jms is needed,
 * (that the extension's JMS classes were never loaded, {@link NoAdaptersCdiTest} reads from the class-loading log). Prints "NO-ADAPTERS OK" and exits 0. Arguments: node name, log directory.
 */
public final class NoAdaptersApp {
    private NoAdaptersApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String absent : new String[] {"dev.pledge.xa.jdbc.TransactionalDataSource", "dev.pledge.xa.jms.TransactionalConnectionFactory",
                "io.agroal.api.AgroalDataSource", "jakarta.jms.ConnectionFactory"}) {
            try {
                Class.forName(absent);
                System.out.println(absent + " IS on the class path: this run proves nothing");
                System.exit(3);
            } catch (ClassNotFoundException expected) {
                // the point of this JVM
            }
        }
        System.setProperty("pledge.nodeName", args[0]);
        System.setProperty("pledge.logDirectory", args[1]);
        try (WeldContainer weld = new Weld(args[0]).disableDiscovery().addExtension(new PledgeExtension()).addBeanClasses(TxTypes.class)
                .initialize()) {
            TxTypes tx = weld.select(TxTypes.class).get();
            TransactionSynchronizationRegistry tsr = weld.select(TransactionSynchronizationRegistry.class).get();
            AtomicInteger committed = new AtomicInteger();
            AtomicInteger rolledBack = new AtomicInteger();
            Synchronization count = new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    (status == Status.STATUS_COMMITTED ? committed : rolledBack).incrementAndGet();
                }
            };
            tx.required(() -> {
                tsr.registerInterposedSynchronization(count);
                return null;
            });
            try {
                tx.required(() -> {
                    tsr.registerInterposedSynchronization(count);
                    throw new IllegalStateException("roll back");
                });
            } catch (IllegalStateException expected) {
                // a RuntimeException rolls the transaction back
            }
            if (committed.get() != 1 || rolledBack.get() != 1) {
                throw new AssertionError("committed " + committed + ", rolled back " + rolledBack);
            }
        }
        // a data source declared in configuration needs pledge-xa-jdbc: the deployment fails and says so
        System.setProperty("pledge.datasource.orders.xa-class", "org.h2.jdbcx.JdbcDataSource");
        System.setProperty("pledge.datasource.orders.url", "jdbc:h2:mem:orders");
        expectDeploymentFailure(args[0] + "-ds", "need dev.pledge:pledge-xa-jdbc on the class path");
        // a JMS connection factory declared in configuration needs pledge-xa-jms: the deployment fails and says so
        System.clearProperty("pledge.datasource.orders.xa-class");
        System.clearProperty("pledge.datasource.orders.url");
        System.setProperty("pledge.jms.events.xa-factory-class", "org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory");
        System.setProperty("pledge.jms.events.url", "tcp://127.0.0.1:61616");
        expectDeploymentFailure(args[0] + "-jms", "need dev.pledge:pledge-xa-jms");
        System.out.println("NO-ADAPTERS OK");
        System.exit(0);
    }

    /** Deploys with the system properties set now; the deployment must fail with {@code expected} in its error. */
    private static void expectDeploymentFailure(String container, String expected) {
        try (WeldContainer weld = new Weld(container).disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(TxTypes.class).initialize()) {
            throw new AssertionError("deployed, though it should fail with: " + expected);
        } catch (RuntimeException e) {
            String all = e + " / " + e.getCause();
            if (!all.contains(expected)) {
                throw new AssertionError("not the expected deployment error: " + all, e);
            }
        }
    }
}
