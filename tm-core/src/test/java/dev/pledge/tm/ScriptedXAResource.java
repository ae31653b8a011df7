package dev.pledge.tm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource that does what the test scripts: its vote, errors on cue for each XA call, and
 * what {@code recover} lists. Every call lands in the shared {@link CallLog} as
 * {@code name.call(args)}.
 */
class ScriptedXAResource implements PledgeXAResource, AutoCloseable {
    final String name;
    final CallLog log;
    boolean joinable = true;
    /** Other resources this one claims to share a resource manager with. */
    final List<XAResource> sameRM = new ArrayList<>();
    int vote = XA_OK;
    int prepareError;
    int commitError;
    int rollbackError;
    int startJoinError;
    /** Error of every end (0: none). */
    int endError;
    /** Error of every start without TMJOIN (0: none). */
    int startError;
    RuntimeException commitThrows;
    /** Thrown by every prepare when set, as a driver's bug or a lost connection would. */
    RuntimeException prepareThrows;
    /** Thrown by every rollback when set. */
    RuntimeException rollbackThrows;
    /** How many commits fail with {@link #commitError} before they succeed (-1: always). */
    int commitFailures = -1;
    final List<Xid> prepared = new CopyOnWriteArrayList<>();
    final List<Xid> started = new CopyOnWriteArrayList<>();
    final List<Integer> timeouts = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    ScriptedXAResource(String name, CallLog log) {
        this.name = name;
        this.log = log;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return joinable;
    }

    private static XAException xa(int code) {
        return new XAException(code);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        log.add(name + ".start(" + flags(flags) + ")");
        if (flags == TMJOIN && startJoinError != 0) {
            throw xa(startJoinError);
        }
        if (flags != TMJOIN && startError != 0) {
            throw xa(startError);
        }
        started.add(xid);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        log.add(name + ".end(" + flags(flags) + ")");
        if (endError != 0) {
            throw xa(endError);
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        log.add(name + ".prepare");
        if (prepareThrows != null) {
            throw prepareThrows;
        }
        if (prepareError != 0) {
            throw xa(prepareError);
        }
        if (vote == XA_OK) {
            prepared.add(xid);
        }
        return vote;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        log.add(name + ".commit(" + onePhase + ")");
        if (commitThrows != null) {
            throw commitThrows;
        }
        if (commitError != 0 && commitFailures != 0) {
            if (commitFailures > 0) {
                commitFailures--;
            }
            throw xa(commitError);
        }
        prepared.remove(xid);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        log.add(name + ".rollback");
        if (rollbackThrows != null) {
            throw rollbackThrows;
        }
        if (rollbackError != 0) {
            throw xa(rollbackError);
        }
        prepared.remove(xid);
    }

    @Override
    public void forget(Xid xid) {
        log.add(name + ".forget");
        prepared.remove(xid); // a forgotten heuristic branch is no longer listed by recover
    }

    @Override
    public Xid[] recover(int flag) {
        log.add(name + ".recover(" + flags(flag) + ")");
        return (flag & TMSTARTRSCAN) != 0 ? prepared.toArray(new Xid[0]) : new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return sameRM.contains(other);
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        timeouts.add(seconds);
        return true;
    }

    @Override
    public void close() {
        closed = true;
        log.add(name + ".close");
    }

    static String flags(int f) {
        return switch (f) {
            case TMNOFLAGS -> "TMNOFLAGS";
            case TMJOIN -> "TMJOIN";
            case TMRESUME -> "TMRESUME";
            case TMSUCCESS -> "TMSUCCESS";
            case TMSUSPEND -> "TMSUSPEND";
            case TMFAIL -> "TMFAIL";
            case TMSTARTRSCAN -> "TMSTARTRSCAN";
            case TMENDRSCAN -> "TMENDRSCAN";
            default -> String.valueOf(f);
        };
    }

    /** The same script as a non-XA resource taking part as the last resource. */
    static final class Last extends ScriptedXAResource implements LastResource {
        Last(String name, CallLog log) {
            super(name, log);
        }
    }
}
