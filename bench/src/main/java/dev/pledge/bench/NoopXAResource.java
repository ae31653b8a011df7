package dev.pledge.bench;

import dev.pledge.tm.PledgeXAResource;
import java.io.Serializable;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** A resource manager that does nothing and votes yes: what remains is the transaction manager's own cost. */
final class NoopXAResource implements PledgeXAResource, Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    NoopXAResource(String name) {
        this.name = name;
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
    public void commit(Xid xid, boolean onePhase) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int prepare(Xid xid) {
        return XA_OK;
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public void rollback(Xid xid) {
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return true;
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public String toString() {
        return name;
    }
}
