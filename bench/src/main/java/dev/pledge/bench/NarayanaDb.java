package dev.pledge.bench;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import com.mysql.cj.jdbc.MysqlXADataSource;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.XADataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * Narayana (journal store) with Agroal pools through Agroal's own Narayana integration
 * ({@code agroal-narayana}), configured as Pledge's {@code TransactionalDataSource} configures Agroal:
 * same maximum size, no minimum, auto-commit connections, 30 s acquisition timeout, metrics on.
 */
final class NarayanaDb implements DbContender {
    private AgroalDataSource maria;
    private AgroalDataSource pg;

    @Override
    public LoadLoop.Body start(DbServers servers, Path dir, int threads, int maxPoolSize) throws Exception {
        TransactionManager tm = NarayanaContender.configure(dir, true);
        TransactionSynchronizationRegistry tsr = new TransactionSynchronizationRegistryImple();
        maria = pool(tm, tsr, "maria", MysqlXADataSource.class, servers.mariadbUrl(), maxPoolSize);
        pg = pool(tm, tsr, "pg", PGXADataSource.class, servers.postgresUrl(), maxPoolSize);
        return thread -> Transfer.managed(tm, maria, pg, thread);
    }

    private static AgroalDataSource pool(TransactionManager tm, TransactionSynchronizationRegistry tsr, String name,
            Class<? extends XADataSource> driver, String url, int maxPoolSize) throws Exception {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().metricsEnabled(true)
                .connectionPoolConfiguration(cp -> cp
                        .transactionIntegration(new NarayanaTransactionIntegration(tm, tsr, name, false))
                        .maxSize(maxPoolSize)
                        .minSize(0)
                        .initialSize(0)
                        .acquisitionTimeout(Duration.ofSeconds(30))
                        .connectionFactoryConfiguration(cf -> cf.autoCommit(true).connectionProviderClass(driver).jdbcUrl(url))));
    }

    @Override
    public void close() {
        maria.close();
        pg.close();
    }
}
