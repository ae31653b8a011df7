package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class BridgeXAResourceTest {
    /** Records the timeouts it is sent; the other calls are not used here. */
    private static final class Recording implements XAResource {
        final List<Integer> timeouts = new ArrayList<>();

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
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public void forget(Xid xid) {
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
        public void start(Xid xid, int flags) {
        }
    }

    @Test
    void theTransactionTimeoutIsSentToTheBrokerOnlyWhenItChanges() throws Exception {
        Recording session = new Recording();
        BridgeXAResource r = new BridgeXAResource(session);
        assertTrue(r.setTransactionTimeout(60));
        assertTrue(r.setTransactionTimeout(60));
        assertTrue(r.setTransactionTimeout(30));
        assertTrue(r.setTransactionTimeout(30));
        assertEquals(List.of(60, 30), session.timeouts);
        assertEquals(30, r.getTransactionTimeout());
    }

    @Test
    void twoWrappersOfTheSameSessionAreTheSameResourceManager() throws Exception {
        Recording session = new Recording();
        assertTrue(new BridgeXAResource(session).isSameRM(new BridgeXAResource(session)));
        assertTrue(!new BridgeXAResource(session).isSameRM(new BridgeXAResource(new Recording())));
    }
}
