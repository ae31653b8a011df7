package dev.pledge.spring.boot;

import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** An XA branch that keeps the timeouts it is given and what it was told to do. */
final class Branch implements XAResource {
    final List<Integer> timeouts = new ArrayList<>();
    final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean committed;

    @Override
    public boolean setTransactionTimeout(int seconds) {
        timeouts.add(seconds);
        return true;
    }

    @Override
    public int getTransactionTimeout() {
        return timeouts.isEmpty() ? 0 : timeouts.get(timeouts.size() - 1);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        calls.add(onePhase ? "commit one-phase" : "commit");
        committed = true;
    }

    @Override
    public int prepare(Xid xid) {
        calls.add("prepare");
        return XA_OK;
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public void rollback(Xid xid) {
        calls.add("rollback");
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
        return false;
    }
}
