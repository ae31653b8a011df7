package dev.pledge.bench;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;

/**
 * Narayana 7.2 with its {@code JDBCStore} as the action store (the one holding the commit records),
 * on the PostgreSQL database of {@link LogDatabase}, through its own pooled accessor
 * {@code SimplePooledDynamicDataSourceJDBCAccess} over {@code PGSimpleDataSource}: the setup
 * Quarkus's {@code object-store.type=jdbc} and WildFly's JDBC store amount to. The table is
 * created by Narayana ({@code createTable}), dropped first ({@code dropTable}).
 */
final class NarayanaJdbcContender implements Contender {
    static final String ACCESS = "com.arjuna.ats.internal.arjuna.objectstore.jdbc.accessors.SimplePooledDynamicDataSourceJDBCAccess";

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws Exception {
        String store = dir.resolve("narayana-store").toAbsolutePath().toString();
        BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("bench-narayana-jdbc");
        for (String name : new String[] {"communicationStore", "stateStore"}) {
            BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name).setObjectStoreDir(store);
        }
        ObjectStoreEnvironmentBean actions = BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class);
        actions.setObjectStoreDir(store);
        actions.setObjectStoreType("com.arjuna.ats.internal.arjuna.objectstore.jdbc.JDBCStore");
        actions.setJdbcAccess(ACCESS + ";ClassName=org.postgresql.ds.PGSimpleDataSource;URL=" + LogDatabase.URL + ";User=" + LogDatabase.USER);
        // no Password entry: the server trusts the bench's connections, and Narayana's parser refuses an empty value
        actions.setTablePrefix("bench_narayana_");
        actions.setCreateTable(true);
        actions.setDropTable(true);
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @Override
    public void close() {
    }
}
