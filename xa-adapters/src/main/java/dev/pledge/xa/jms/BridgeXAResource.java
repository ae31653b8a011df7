package dev.pledge.xa.jms;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource of a bridge session, which sends the transaction timeout to the broker only when
 * it changes: the session is the bridge's alone, and for Artemis each call is a round trip that
 * Pledge would otherwise make at every enlistment. Everything else goes straight to the session.
 */
final class BridgeXAResource implements XAResource {
    private final XAResource session;
    private int timeoutSent = -1;

    BridgeXAResource(XAResource session) {
        this.session = session;
    }

    @Override
    public synchronized boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds == timeoutSent) {
            return true;
        }
        boolean taken = session.setTransactionTimeout(seconds);
        timeoutSent = seconds;
        return taken;
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return session.getTransactionTimeout();
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        session.start(xid, flags);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        session.end(xid, flags);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return session.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        session.commit(xid, onePhase);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        session.rollback(xid);
    }

    @Override
    public void forget(Xid xid) throws XAException {
        session.forget(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return session.recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return session.isSameRM(other instanceof BridgeXAResource b ? b.session : other);
    }
}
