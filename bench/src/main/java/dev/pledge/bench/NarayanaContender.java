package dev.pledge.bench;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;

/**
 * Narayana 7.2 with either its journal store (HornetqObjectStoreAdaptor on artemis-journal, sync
 * writes on) or its default file store. Narayana's configuration is JVM-global, which is why every
 * contender runs in a JVM of its own.
 */
final class NarayanaContender implements Contender {
    private final boolean journal;

    NarayanaContender(boolean journal) {
        this.journal = journal;
    }

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws Exception {
        String store = dir.resolve("narayana-store").toString();
        BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("bench");
        for (String name : new String[] {null, "communicationStore", "stateStore"}) {
            ObjectStoreEnvironmentBean os = name == null ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                    : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
            os.setObjectStoreDir(store);
            if (journal) {
                os.setObjectStoreType(HornetqObjectStoreAdaptor.class.getName());
            }
        }
        if (journal) {
            HornetqJournalEnvironmentBean j = BeanPopulator.getDefaultInstance(HornetqJournalEnvironmentBean.class);
            j.setStoreDir(dir.resolve("narayana-journal").toString());
            j.setSyncWrites(true);
            j.setSyncDeletes(true);
        } else {
            BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setSynchronousRemoval(true);
        }
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @Override
    public void close() {
    }
}
