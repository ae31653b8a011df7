package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** A resource with no state of its own whose commit halts the JVM: phase two stops right after the decision. */
final class HaltingXAResource implements PledgeXAResource {
    private final String name;
    private final int haltCode;

    HaltingXAResource(String name, int haltCode) {
        this.name = name;
        this.haltCode = haltCode;
    }

    /** For recovery: holds nothing in doubt. */
    static HaltingXAResource forRecovery() {
        return new HaltingXAResource(HaltAfterDecisionChild.HALTER, 0);
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
        if (haltCode != 0) {
            System.out.flush();
            Runtime.getRuntime().halt(haltCode);
        }
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
    public boolean isSameRM(XAResource xares) {
        return xares == this;
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
        return false;
    }

    @Override
    public void start(Xid xid, int flags) {
    }
}
