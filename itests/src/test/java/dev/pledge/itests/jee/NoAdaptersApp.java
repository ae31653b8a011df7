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
 * needed. Prints "NO-ADAPTERS OK" and exits 0. Arguments: node name, log directory.
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
        try (WeldContainer weld = new Weld(args[0] + "-ds").disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(TxTypes.class).initialize()) {
            throw new AssertionError("a configured data source without pledge-xa-jdbc deployed");
        } catch (RuntimeException e) {
            String all = e + " / " + e.getCause();
            if (!all.contains("need dev.pledge:pledge-xa-jdbc on the class path")) {
                throw new AssertionError("not the expected deployment error: " + all, e);
            }
        }
        System.out.println("NO-ADAPTERS OK");
        System.exit(0);
    }
}
