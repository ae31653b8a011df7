package dev.pledge.bench;

import com.atomikos.datasource.xa.XATransactionalResource;
import com.atomikos.icatch.config.Configuration;
import com.atomikos.icatch.jta.UserTransactionManager;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import javax.transaction.xa.XAResource;

/**
 * Atomikos 6.0 (the open-source TransactionsEssentials). It only takes part with XAResources that
 * a registered resource claims, so each no-op resource is registered as its own
 * {@link XATransactionalResource}. Logs under the run's directory, forced on every write.
 */
final class AtomikosContender implements Contender {
    private UserTransactionManager utm;

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws Exception {
        System.setProperty("com.atomikos.icatch.log_base_dir", dir.resolve("atomikos-log").toString());
        System.setProperty("com.atomikos.icatch.output_dir", dir.resolve("atomikos-out").toString());
        System.setProperty("com.atomikos.icatch.max_actives", "-1");
        System.setProperty("com.atomikos.icatch.default_jta_timeout", "60000");
        System.setProperty("com.atomikos.icatch.max_timeout", "300000");
        System.setProperty("com.atomikos.icatch.tm_unique_name", "bench-atomikos");
        System.setProperty("com.atomikos.icatch.enable_logging", "true");
        System.setProperty("com.atomikos.icatch.force_shutdown_on_vm_exit", "true");
        Configuration.addResource(new Claiming(a));
        Configuration.addResource(new Claiming(b));
        utm = new UserTransactionManager();
        utm.setForceShutdown(true);
        utm.init();
        return utm;
    }

    @Override
    public void close() {
        utm.close();
    }

    /** Claims exactly one no-op resource. */
    private static final class Claiming extends XATransactionalResource {
        private final NoopXAResource resource;

        Claiming(NoopXAResource resource) {
            super(resource.resourceName());
            this.resource = resource;
        }

        @Override
        protected XAResource refreshXAConnection() {
            return resource;
        }

        @Override
        public boolean usesXAResource(XAResource xares) {
            return xares == resource;
        }
    }
}
