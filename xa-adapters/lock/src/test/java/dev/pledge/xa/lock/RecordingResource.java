package dev.pledge.xa.lock;

import dev.pledge.tm.PledgeXAResource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** Another participant: votes yes, records what it was asked, and can halt the JVM at prepare or commit. */
final class RecordingResource implements PledgeXAResource {
    enum HaltAt { NEVER, PREPARE, COMMIT }

    private final String name;
    private final HaltAt haltAt;
    private final Consumer<String> observer;
    final List<String> calls = new CopyOnWriteArrayList<>();

    RecordingResource(String name, HaltAt haltAt, Consumer<String> observer) {
        this.name = name;
        this.haltAt = haltAt;
        this.observer = observer;
    }

    RecordingResource(String name, HaltAt haltAt) {
        this(name, haltAt, call -> { });
    }

    RecordingResource(String name) {
        this(name, HaltAt.NEVER);
    }

    /** A resource that tells {@code observer} of each prepare, commit and rollback as it happens. */
    RecordingResource(String name, Consumer<String> observer) {
        this(name, HaltAt.NEVER, observer);
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return false;
    }

    @Override
    public void start(Xid xid, int flags) {
        calls.add("start");
    }

    @Override
    public void end(Xid xid, int flags) {
        calls.add("end");
    }

    @Override
    public int prepare(Xid xid) {
        calls.add("prepare");
        observer.accept("prepare");
        if (haltAt == HaltAt.PREPARE) {
            System.out.println("HALT at prepare of " + name);
            System.out.flush();
            Runtime.getRuntime().halt(42);
        }
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        if (haltAt == HaltAt.COMMIT) {
            System.out.println("HALT at commit of " + name);
            System.out.flush();
            Runtime.getRuntime().halt(42);
        }
        calls.add(onePhase ? "commit-1pc" : "commit");
        observer.accept(onePhase ? "commit-1pc" : "commit");
    }

    @Override
    public void rollback(Xid xid) {
        calls.add("rollback");
        observer.accept("rollback");
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }
}
