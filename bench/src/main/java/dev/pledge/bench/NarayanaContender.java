package dev.pledge.bench;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;

/**
 * Narayana 7.2 with either its journal store (HornetqObjectStoreAdaptor on artemis-journal, sync
 * writes and deletes on) or its default file store. Narayana's configuration is JVM-global, which is
 * why every contender runs in a JVM of its own.
 */
final class NarayanaContender implements Contender {
    private final boolean journal;

    NarayanaContender(boolean journal) {
        this.journal = journal;
    }

    @Override
    public TransactionManager start(Path dir, NoopXAResource a, NoopXAResource b) throws CoreEnvironmentBeanException {
        return configure(dir, journal);
    }

    /**
     * Points every Narayana store under {@code dir} (nothing lands in the working directory) and
     * returns its transaction manager. With {@code journal}, the action store (the one holding the
     * commit records) is the Artemis journal, as WildFly's {@code use-journal-store} does.
     */
    static TransactionManager configure(Path dir, boolean journal) throws CoreEnvironmentBeanException {
        String store = dir.resolve("narayana-store").toAbsolutePath().toString();
        BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("bench-narayana");
        for (String name : new String[] {null, "communicationStore", "stateStore"}) {
            ObjectStoreEnvironmentBean os = name == null ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                    : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
            os.setObjectStoreDir(store);
        }
        ObjectStoreEnvironmentBean actions = BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class);
        if (journal) {
            actions.setObjectStoreType(HornetqObjectStoreAdaptor.class.getName());
            HornetqJournalEnvironmentBean j = BeanPopulator.getDefaultInstance(HornetqJournalEnvironmentBean.class);
            j.setStoreDir(dir.resolve("narayana-journal").toAbsolutePath().toString());
            j.setSyncWrites(true);
            j.setSyncDeletes(true);
        } else {
            actions.setSynchronousRemoval(true);
        }
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @Override
    public void close() {
    }
}
