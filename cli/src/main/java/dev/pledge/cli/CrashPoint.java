package dev.pledge.cli;

import dev.pledge.tm.PledgeXAResource;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A branch with no data of its own whose commit halts the JVM ({@code Runtime.halt}: no shutdown
 * hooks, nothing flushed). Enlisted first in a transaction, its commit is the first call of phase
 * two, so the halt comes after the commit decision was forced to the log and before any real branch
 * committed. Only the first of the transactions sharing one {@code fired} flag halts (the others'
 * crash points do nothing), and it waits a moment first, so that the other threads' transactions
 * are caught at whatever step they are in: some before their decision, some after.
 */
final class CrashPoint implements PledgeXAResource {
    static final String NAME = "crash-point";
    static final int HALT_STATUS = 99;

    private final AtomicBoolean fired;
    private final PrintStream out;
    private final String transfer;

    private CrashPoint(AtomicBoolean fired, PrintStream out, String transfer) {
        this.fired = fired;
        this.out = out;
        this.transfer = transfer;
    }

    /** Halts the JVM in commit unless another crash point of {@code fired} got there first; reports the transfer on {@code out}. */
    static CrashPoint armed(AtomicBoolean fired, PrintStream out, String transfer) {
        return new CrashPoint(fired, out, transfer);
    }

    /** What recovery registers under the name: it holds nothing in doubt, so the decisions it is part of can complete. */
    static CrashPoint forRecovery() {
        return new CrashPoint(new AtomicBoolean(true), null, null);
    }

    @Override
    public String resourceName() {
        return NAME;
    }

    @Override
    public boolean joinable() {
        return false;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        if (!fired.compareAndSet(false, true)) {
            return;
        }
        out.println("halting in phase two of transfer " + transfer + ", its commit decision forced to the log");
        out.flush();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(HALT_STATUS);
    }

    @Override
    public int prepare(Xid xid) {
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
