package dev.pledge.cli;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import dev.pledge.xa.lock.LockService;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * What one demo process runs on, opened over the demo directory: a transaction service with its
 * log, the two H2 banks behind pooled transactional data sources, the embedded broker behind a
 * transactional JMS connection factory, and in-process locks whose prepared branches are kept on
 * disk. The demo's parent and its crashing child open the same directory in turn, never at once.
 */
final class DemoSystem implements AutoCloseable {
    static final String NODE = "cli-demo";
    static final String QUEUE = "pledge.demo.transfers";
    static final int ACCOUNTS = 100;
    static final long OPENING_BALANCE = 1_000;
    /** The format id of Pledge's Xids ("PLDG"). */
    private static final int PLEDGE_FORMAT_ID = 0x504C4447;

    final Path dir;
    final TransactionService svc;
    final Bank a;
    final Bank b;
    final TransactionalDataSource dsA;
    final TransactionalDataSource dsB;
    final EmbeddedBroker broker;
    final TransactionalConnectionFactory jms;
    final LockService locks;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private DemoSystem(Path dir, int connections) throws Exception {
        this.dir = dir;
        try {
            svc = add(TransactionService.builder()
                    .nodeName(NODE)
                    .logDirectory(logDirectory(dir))
                    .defaultTimeout(Duration.ofSeconds(30))
                    .recoveryInterval(Duration.ZERO)
                    .build());
            a = new Bank("bank-a", dir);
            b = new Bank("bank-b", dir);
            dsA = add(TransactionalDataSource.builder(svc).name(a.name).xaDataSource(a.dataSource).maxPoolSize(connections).build());
            dsB = add(TransactionalDataSource.builder(svc).name(b.name).xaDataSource(b.dataSource).maxPoolSize(connections).build());
            broker = add(EmbeddedBroker.start(dir.resolve("broker")));
            jms = add(TransactionalConnectionFactory.builder(svc).name("broker").xaConnectionFactory(broker.xaConnectionFactory())
                    .maxConnections(1).build());
            locks = add(LockService.builder(svc.transactionManager()).name("locks").durableDirectory(dir.resolve("locks"))
                    .defaultTimeout(Duration.ofSeconds(10)).build());
            svc.recovery().register(locks.name(), locks::recoveryResource);
            svc.recovery().register(CrashPoint.NAME, CrashPoint::forRecovery);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Opens the demo's resources on {@code dir}; background recovery is off, passes run when asked. */
    static DemoSystem open(Path dir, int connections) throws Exception {
        return new DemoSystem(dir, connections);
    }

    static Path logDirectory(Path dir) {
        return dir.resolve("pledge-log");
    }

    private <T extends AutoCloseable> T add(T resource) {
        toClose.add(resource);
        return resource;
    }

    /** The lock key of an account in a bank. */
    static String lockKey(Bank bank, int account) {
        return bank.name + "/" + account;
    }

    /** Branches of this node's transactions that each resource holds prepared, by resource name. */
    Map<String, Integer> preparedBranches() throws Exception {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Bank bank : List.of(a, b)) {
            javax.sql.XAConnection xa = bank.dataSource.getXAConnection();
            try {
                out.put(bank.name, ours(xa.getXAResource()));
            } finally {
                xa.close();
            }
        }
        try (XAConnection c = broker.xaConnectionFactory().createXAConnection(); XASession s = c.createXASession()) {
            out.put(jms.name(), ours(s.getXAResource()));
        }
        out.put(locks.name(), ours(locks.recoveryResource()));
        return out;
    }

    private static int ours(XAResource r) throws XAException {
        Xid[] xids = r.recover(XAResource.TMSTARTRSCAN);
        r.recover(XAResource.TMENDRSCAN);
        return (int) Arrays.stream(xids == null ? new Xid[0] : xids).filter(x -> x.getFormatId() == PLEDGE_FORMAT_ID).count();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        toClose.clear();
        if (first != null) {
            throw first;
        }
    }
}
