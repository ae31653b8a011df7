package dev.pledge.tm.trace;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.WriteStats;

/** Tracing off: one constant that does nothing, so the commit path allocates nothing for tracing. */
enum Off implements TransactionTracer, Trace, LogWrite {
    OFF;

    @Override
    public Trace transaction(Gtrid gtrid) {
        return this;
    }

    @Override
    public Trace recoveryPass() {
        return this;
    }

    @Override
    public Step beforeCompletion() {
        return this;
    }

    @Override
    public Step branch(String phase, String resource, Gtrid gtrid) {
        return this;
    }

    @Override
    public LogWrite logWrite(int branches) {
        return this;
    }

    @Override
    public WriteStats stats() {
        return null;
    }

    @Override
    public void end(String outcome, boolean error) {
    }

    @Override
    public void end(String outcome, int xaCode) {
    }
}
