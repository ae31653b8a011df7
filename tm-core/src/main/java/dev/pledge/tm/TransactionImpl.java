package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalOutcomeUnknownException;
import dev.pledge.tm.log.WriteStats;
import dev.pledge.tm.trace.LogWrite;
import dev.pledge.tm.trace.Step;
import dev.pledge.tm.trace.Trace;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One global transaction and its whole completion, top to bottom: enlistment, synchronizations,
 * prepare, the logged decision, phase two and heuristics.
 * <p>
 * State changes happen under this object's monitor; the slow XA calls of completion happen
 * outside it, once the state machine has shut out enlistment and the timeout reaper.
 * <p>
 * Timeouts: the reaper hands a transaction past its deadline to a timeout worker of the service, which
 * takes it ({@link #takeForTimeout}) as long as nobody has started to prepare or roll it back (that
 * includes a transaction whose {@code commit()} is still running its beforeCompletion callbacks) and
 * rolls it back ({@link #rollbackAfterTimeout}). {@code commit()} and {@code rollback()} on the
 * application's thread wait for that rollback to finish before they report it. From prepare on, the
 * decision protocol owns the transaction and the worker leaves it alone.
 */
final class TransactionImpl implements Transaction {
    private static final Logger log = LoggerFactory.getLogger(TransactionImpl.class);

    private final TransactionManagerImpl tm;
    final Gtrid gtrid;
    final int timeoutSeconds;
    final long deadlineNanos;

    private volatile int status = Status.STATUS_ACTIVE;
    /** commit, rollback or a timeout worker has taken the transaction; nobody else may complete it. */
    private boolean completing;
    /** A timeout worker has taken the transaction (see {@link #takeForTimeout}) and rolls it back. */
    private volatile boolean timedOut;
    /** Made when a timeout worker takes the transaction, opened once its rollback has finished (none on the normal path). */
    private CountDownLatch timeoutRollbackDone;
    /** Read and written by the reaper's thread only: it has handed this transaction to a timeout worker (once). */
    boolean handedToTimeoutWorker;
    /** An end of commit's endAssociations failed: the rest end with TMFAIL. */
    private volatile boolean endFailed;
    /** The first real failure that made the transaction roll back; later ones are added to it as suppressed. */
    private Throwable rollbackCause;
    /** Where the transaction was first marked rollback-only without a failure (setRollbackOnly, TMFAIL): the cause when there is none. */
    private Throwable rollbackRequest;

    /** Its trace: {@link Trace#NONE} unless tracing is on; set by the manager before the transaction is published. */
    Trace trace = Trace.NONE;

    private final ArrayList<Branch> branches = new ArrayList<>(4);
    private int branchCount;
    private Branch lastResource;
    private ArrayList<Synchronization> synchronizations;
    private ArrayList<Synchronization> interposed;
    /** commit() has begun calling the interposed synchronizations' beforeCompletion: no regular one may be added. */
    private boolean interposedBeforeCompletion;
    private Map<Object, Object> registryResources;

    TransactionImpl(TransactionManagerImpl tm, Gtrid gtrid, int timeoutSeconds) {
        this.tm = tm;
        this.gtrid = gtrid;
        this.timeoutSeconds = timeoutSeconds;
        this.deadlineNanos = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    }

    /** When it began, on {@link System#nanoTime()}'s clock. */
    long beganNanos() {
        return deadlineNanos - timeoutSeconds * 1_000_000_000L;
    }

    TransactionManagerImpl manager() {
        return tm;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** Completed or taken by commit/rollback: can no longer be resumed. */
    boolean isFinished() {
        int s = status;
        return s == Status.STATUS_COMMITTED || s == Status.STATUS_ROLLEDBACK || s == Status.STATUS_UNKNOWN
                || s == Status.STATUS_NO_TRANSACTION;
    }

    @Override
    public int getStatus() {
        return status;
    }

    // ------------------------------------------------------------------ enlistment

    @Override
    public boolean enlistResource(XAResource resource) throws RollbackException, IllegalStateException, SystemException {
        if (resource == null) {
            throw new IllegalArgumentException("enlistResource(null)");
        }
        synchronized (this) {
            checkEnlistable("enlist a resource in");
            Branch same = null;
            Branch joinCandidate = null;
            boolean joinable = Branch.joinable(resource);
            for (int i = 0, n = branches.size(); i < n; i++) {
                Branch b = branches.get(i);
                if (b.resource == resource) {
                    same = b;
                    break;
                }
                if (joinable && joinCandidate == null && b.ownsBranch() && !b.last && Branch.joinable(b.resource)
                        && isSameRM(b.resource, resource)) {
                    joinCandidate = b;
                }
            }
            if (same != null) {
                return reassociate(same);
            }
            if (resource instanceof LastResource) {
                if (lastResource != null) {
                    throw new SystemException("Transaction " + gtrid + " already has a last resource (" + lastResource.resourceName
                            + "); a second non-XA resource (" + Branch.nameOf(resource) + ") cannot join it: only one last resource"
                            + " per transaction is safe. Use an XADataSource for one of them.");
                }
                Branch b = newBranch(resource, null, true);
                start(b, XAResource.TMNOFLAGS);
                lastResource = b;
                branches.add(b);
                return true;
            }
            if (joinCandidate != null) {
                Branch joined = new Branch(resource, joinCandidate.xid, joinCandidate.resourceName, joinCandidate, false);
                try {
                    resource.start(joined.xid, XAResource.TMJOIN);
                    branches.add(joined);
                    return true;
                } catch (XAException e) {
                    // isSameRM said yes but the server refused to join: give it a branch of its own.
                    log.debug("{} refused to join {}: {}; starting a branch of its own", joined.resourceName, joined.xid, XaCodes.describe(e));
                }
            }
            Branch b = newBranch(resource, null, false);
            start(b, XAResource.TMNOFLAGS);
            branches.add(b);
            return true;
        }
    }

    private Branch newBranch(XAResource resource, Branch joinedTo, boolean last) {
        PledgeXid xid = new PledgeXid(gtrid.bytes(), PledgeXid.bqual(++branchCount));
        return new Branch(resource, xid, Branch.nameOf(resource), joinedTo, last);
    }

    private static boolean isSameRM(XAResource a, XAResource b) {
        try {
            return a.isSameRM(b);
        } catch (XAException | RuntimeException e) {
            return false;
        }
    }

    private void start(Branch b, int flags) throws RollbackException, SystemException {
        if (flags == XAResource.TMNOFLAGS) {
            int remaining = remainingSeconds();
            try {
                b.resource.setTransactionTimeout(remaining);
            } catch (XAException | RuntimeException e) {
                log.debug("{} did not take a transaction timeout of {} s: {}", b.resourceName, remaining, XaCodes.describe(e));
            }
        }
        try {
            b.resource.start(b.xid, flags);
            b.association = Branch.ASSOCIATED;
        } catch (XAException e) {
            if (XaCodes.isRollback(e.errorCode)) {
                markRollbackOnly(e);
                throw rollbackException("Resource " + b.resourceName + " refused to start " + b.xid + " (" + XaCodes.name(e.errorCode)
                        + "); the transaction is marked rollback-only", e);
            }
            // the work the caller meant to do on this resource cannot be part of the transaction: committing the
            // rest would split it, whatever the caller does with the exception (a checked one commits under @Transactional)
            markRollbackOnly(e);
            throw systemException("Resource " + b.resourceName + " failed to start branch " + b.xid + ": " + XaCodes.describe(e)
                    + "; the transaction is marked rollback-only", e);
        } catch (RuntimeException e) {
            markRollbackOnly(e);
            throw systemException("Resource " + b.resourceName + " failed to start branch " + b.xid + ": " + e
                    + "; the transaction is marked rollback-only", e);
        }
    }

    private boolean reassociate(Branch b) throws RollbackException, SystemException {
        switch (b.association) {
            case Branch.ASSOCIATED:
                return true; // enlisting twice is harmless
            case Branch.SUSPENDED:
                start(b, XAResource.TMRESUME);
                return true;
            default:
                start(b, XAResource.TMJOIN);
                return true;
        }
    }

    private int remainingSeconds() {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? 1 : (int) Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    @Override
    public boolean delistResource(XAResource resource, int flag) throws IllegalStateException, SystemException {
        if (flag != XAResource.TMSUCCESS && flag != XAResource.TMSUSPEND && flag != XAResource.TMFAIL) {
            throw new IllegalArgumentException("delistResource flag must be TMSUCCESS, TMSUSPEND or TMFAIL, not " + flag);
        }
        synchronized (this) {
            int s = status;
            if (s != Status.STATUS_ACTIVE && s != Status.STATUS_MARKED_ROLLBACK) {
                throw new IllegalStateException("Cannot delist a resource from transaction " + gtrid + " in status " + statusName(s));
            }
            Branch b = find(resource);
            if (b == null || b.association == Branch.ENDED || (b.association == Branch.SUSPENDED && flag == XAResource.TMSUSPEND)) {
                throw new IllegalStateException("Resource " + Branch.nameOf(resource) + " is not associated with transaction " + gtrid);
            }
            // a rollback-only transaction will not commit: say so to the resource manager (XA: TMFAIL), it may free the branch early
            int endFlag = flag == XAResource.TMSUCCESS && s == Status.STATUS_MARKED_ROLLBACK ? XAResource.TMFAIL : flag;
            try {
                b.resource.end(b.xid, endFlag);
                b.association = flag == XAResource.TMSUSPEND ? Branch.SUSPENDED : Branch.ENDED;
                if (flag == XAResource.TMFAIL) {
                    markRollbackOnly(null);
                    requestedRollback("resource " + b.resourceName + " was delisted with TMFAIL");
                }
                return true;
            } catch (XAException | RuntimeException e) {
                b.association = Branch.ENDED;
                markRollbackOnly(e);
                log.warn("Ending {} failed ({}); transaction {} is marked rollback-only", b, XaCodes.describe(e), gtrid);
                return false;
            }
        }
    }

    private Branch find(XAResource resource) {
        for (int i = 0, n = branches.size(); i < n; i++) {
            Branch b = branches.get(i);
            if (b.resource == resource) {
                return b;
            }
        }
        return null;
    }

    private void checkEnlistable(String what) throws RollbackException {
        int s = status;
        if (s == Status.STATUS_ACTIVE) {
            return;
        }
        if (s == Status.STATUS_MARKED_ROLLBACK) {
            throw rollbackException("Cannot " + what + " transaction " + gtrid + ": it is marked rollback-only", rollbackCause());
        }
        if (timedOut) {
            throw rollbackException("Cannot " + what + " transaction " + gtrid + ": it timed out after " + timeoutSeconds
                    + " s and was rolled back", null);
        }
        throw new IllegalStateException("Cannot " + what + " transaction " + gtrid + " in status " + statusName(s));
    }

    // ------------------------------------------------------------------ synchronizations and registry

    @Override
    public synchronized void registerSynchronization(Synchronization sync) throws RollbackException, IllegalStateException, SystemException {
        if (sync == null) {
            throw new IllegalArgumentException("registerSynchronization(null)");
        }
        checkEnlistable("register a synchronization with");
        if (interposedBeforeCompletion) {
            // TransactionSynchronizationRegistry: an interposed beforeCompletion runs after every one registered with the
            // Transaction. The Javadoc names no exception for this case; Narayana refuses it with IllegalStateException too.
            throw new IllegalStateException("Cannot register a synchronization with transaction " + gtrid + ": its interposed"
                    + " synchronizations' beforeCompletion has begun, and a regular one must run before them."
                    + " Register it through TransactionSynchronizationRegistry.registerInterposedSynchronization instead");
        }
        if (synchronizations == null) {
            synchronizations = new ArrayList<>(2);
        }
        synchronizations.add(sync);
    }

    synchronized void registerInterposedSynchronization(Synchronization sync) {
        if (sync == null) {
            throw new IllegalArgumentException("registerInterposedSynchronization(null)");
        }
        // a rollback-only transaction still runs afterCompletion: frameworks (CDI's @TransactionScoped) need it to clean up
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            throw new IllegalStateException("Cannot register an interposed synchronization with transaction " + gtrid
                    + " in status " + statusName(status) + (timedOut ? " (it timed out)" : ""));
        }
        if (interposed == null) {
            interposed = new ArrayList<>(2);
        }
        interposed.add(sync);
    }

    synchronized void putRegistryResource(Object key, Object value) {
        if (key == null) {
            throw new NullPointerException("TransactionSynchronizationRegistry.putResource key is null");
        }
        checkRegistryUsable("putResource");
        if (registryResources == null) {
            registryResources = new HashMap<>(4);
        }
        registryResources.put(key, value);
    }

    synchronized Object getRegistryResource(Object key) {
        if (key == null) {
            throw new NullPointerException("TransactionSynchronizationRegistry.getResource key is null");
        }
        checkRegistryUsable("getResource");
        return registryResources == null ? null : registryResources.get(key);
    }

    /** The registry's resources belong to a transaction that is not over yet: afterCompletion gets IllegalStateException. */
    private void checkRegistryUsable(String what) {
        if (isFinished()) {
            throw new IllegalStateException("TransactionSynchronizationRegistry." + what + " needs an active transaction, but "
                    + gtrid + " has completed (" + statusName(status) + ")");
        }
    }

    private synchronized Synchronization synchronizationAt(int i, boolean interposedList) {
        ArrayList<Synchronization> list = interposedList ? interposed : synchronizations;
        return list != null && i < list.size() ? list.get(i) : null;
    }

    /**
     * Runs {@link #beforeCompletion} with this transaction associated with the calling thread, which gets its own
     * association back afterwards: JTA's Synchronization.beforeCompletion "is executed with the transaction context of
     * the transaction that is being committed", also when {@code Transaction.commit()} is called on another thread or
     * while the transaction is suspended (a JPA flush enlists its connection through the thread's transaction).
     */
    private void beforeCompletionInContext() {
        TransactionImpl own = tm.current();
        if (own == this) {
            beforeCompletion();
            return;
        }
        tm.associate(this);
        try {
            beforeCompletion();
        } finally {
            tm.associate(own);
        }
    }

    /**
     * The next interposed synchronization to call beforeCompletion on, or null. From the first one on, regular
     * synchronizations are refused: they would run after an interposed one.
     */
    private synchronized Synchronization interposedForBeforeCompletion(int i) {
        Synchronization s = synchronizationAt(i, true);
        if (s != null) {
            interposedBeforeCompletion = true;
        }
        return s;
    }

    /** Regular synchronizations first, then interposed ones; either may register more. Stops at the first failure. */
    private void beforeCompletion() {
        int regular = 0;
        int inter = 0;
        while (true) {
            Synchronization s = synchronizationAt(regular, false);
            if (s != null) {
                regular++;
            } else {
                s = interposedForBeforeCompletion(inter);
                if (s == null) {
                    return;
                }
                inter++;
            }
            try {
                s.beforeCompletion();
            } catch (Throwable t) {
                log.warn("beforeCompletion of {} failed in transaction {}; rolling back", s, gtrid, t);
                synchronized (this) {
                    markRollbackOnly(t);
                }
                return;
            }
            if (status != Status.STATUS_ACTIVE) {
                return;
            }
        }
    }

    /** Interposed synchronizations first, then regular ones. Failures are logged and change nothing. */
    private void afterCompletion(int outcome) {
        List<Synchronization> inter;
        List<Synchronization> regular;
        synchronized (this) {
            inter = interposed;
            regular = synchronizations;
        }
        if (inter != null) {
            for (int i = 0; i < inter.size(); i++) {
                callAfterCompletion(inter.get(i), outcome);
            }
        }
        if (regular != null) {
            for (int i = 0; i < regular.size(); i++) {
                callAfterCompletion(regular.get(i), outcome);
            }
        }
    }

    private void callAfterCompletion(Synchronization s, int outcome) {
        try {
            s.afterCompletion(outcome);
        } catch (Throwable t) {
            log.warn("afterCompletion of {} failed in transaction {} (ignored)", s, gtrid, t);
        }
    }

    // ------------------------------------------------------------------ rollback-only

    @Override
    public void setRollbackOnly() throws IllegalStateException {
        synchronized (this) {
            int s = status;
            if (s == Status.STATUS_ACTIVE || s == Status.STATUS_MARKED_ROLLBACK) {
                markRollbackOnly(null);
                requestedRollback("setRollbackOnly was called");
                return;
            }
            if (timedOut || s == Status.STATUS_ROLLING_BACK) {
                return; // already on its way out
            }
            throw new IllegalStateException("Cannot mark transaction " + gtrid + " rollback-only in status " + statusName(s));
        }
    }

    /** Caller holds the monitor. {@code cause}: the failure behind it, or null (see {@link #requestedRollback}). */
    private void markRollbackOnly(Throwable cause) {
        if (status == Status.STATUS_ACTIVE) {
            status = Status.STATUS_MARKED_ROLLBACK;
        }
        noteRollbackCause(cause);
    }

    /** Caller holds the monitor. Keeps where the first rollback request without a failure came from. */
    private void requestedRollback(String why) {
        if (rollbackRequest == null) {
            rollbackRequest = new IllegalStateException(why);
        }
    }

    /**
     * Keeps the first failure behind the rollback as its cause (a framework that calls setRollbackOnly and then throws,
     * as Hibernate does when a flush fails, gets its exception back as the RollbackException's cause); later ones are
     * suppressed by it. Failure paths only.
     */
    private synchronized void noteRollbackCause(Throwable cause) {
        Throwable first = rollbackCause;
        if (cause == null || cause == first) {
            return;
        }
        if (first == null) {
            rollbackCause = cause;
            return;
        }
        for (Throwable seen : first.getSuppressed()) {
            if (seen == cause) {
                return;
            }
        }
        first.addSuppressed(cause);
    }

    /** The cause for a RollbackException: the first failure, else the first rollback request. */
    private synchronized Throwable rollbackCause() {
        return rollbackCause != null ? rollbackCause : rollbackRequest;
    }

    // ------------------------------------------------------------------ commit

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SecurityException,
            IllegalStateException, SystemException {
        synchronized (this) {
            if (!timedOut) {
                if (completing) {
                    throw new IllegalStateException("Transaction " + gtrid + " is already completing or completed (status "
                            + statusName(status) + ")");
                }
                completing = true;
            }
        }
        if (timedOut) {
            throw timedOutRollback();
        }
        try {
            if (status == Status.STATUS_ACTIVE && (synchronizationAt(0, false) != null || synchronizationAt(0, true) != null)) {
                // a span only when there are callbacks to time: with none it would say nothing and cost a span per transaction
                Step step = trace == Trace.NONE ? Step.NONE : trace.beforeCompletion();
                beforeCompletionInContext(); // a timeout may take the transaction meanwhile: nothing else bounds beforeCompletion
                step.end(status == Status.STATUS_ACTIVE ? "ok" : "rollback_only", Step.NO_CODE);
            }
            synchronized (this) {
                if (timedOut) {
                    // a timeout worker took it during beforeCompletion and rolls it back
                } else if (status != Status.STATUS_ACTIVE) {
                    status = Status.STATUS_ROLLING_BACK;
                } else {
                    status = Status.STATUS_PREPARING; // from here on a timeout leaves it alone
                }
            }
            if (timedOut) {
                throw timedOutRollback();
            }
            if (status == Status.STATUS_ROLLING_BACK) {
                endAssociations(XAResource.TMFAIL); // joined associations too: rollbackBranch ends only the branch owners
                rollbackEverything();
                throw rollbackException("Transaction " + gtrid + " was marked rollback-only and has been rolled back", rollbackCause());
            }
            if (!endAssociations(XAResource.TMSUCCESS)) {
                status = Status.STATUS_ROLLING_BACK;
                rollbackEverything();
                throw rollbackException("Transaction " + gtrid + " rolled back: a resource failed to end its branch", rollbackCause());
            }
            twoPhaseCommit();
        } finally {
            tm.finished(this);
        }
    }

    /** Everything after beforeCompletion: votes, the logged decision, phase two. */
    private void twoPhaseCommit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        int owning = 0;
        Branch only = null;
        for (int i = 0, n = branches.size(); i < n; i++) {
            Branch b = branches.get(i);
            if (b.ownsBranch() && !b.last) {
                owning++;
                only = b;
            }
        }
        if (owning == 0 && lastResource == null) {
            finish(Status.STATUS_COMMITTED);
            return;
        }
        if (lastResource == null && owning == 1) {
            onePhaseCommit(only);
            return;
        }

        // Phase one: every branch votes before anything commits (with parallel phases, all at once).
        tm.phases.run(this, branches, TransactionImpl::votes, TransactionImpl::prepareBranch);
        List<BranchRecord> toCommit = null;
        for (int i = 0, n = branches.size(); i < n; i++) {
            Branch b = branches.get(i);
            if (b.error != null) {
                noteRollbackCause(b.error);
                status = Status.STATUS_ROLLING_BACK;
                rollbackEverything();
                throw rollbackException("Transaction " + gtrid + " rolled back: " + b.resourceName + " voted no on " + b.xid
                        + " (" + XaCodes.describe(b.error) + ")", b.error);
            }
            if (b.outcome == Branch.PREPARED) {
                if (toCommit == null) {
                    toCommit = new ArrayList<>(n);
                }
                toCommit.add(new BranchRecord(b.xid.bqualBytes(), b.resourceName));
            }
        }
        status = Status.STATUS_PREPARED;

        if (lastResource != null && !commitLastResource()) {
            return; // unreachable: commitLastResource throws when it did not commit
        }
        if (toCommit == null) {
            finish(Status.STATUS_COMMITTED); // every XA branch was read-only
            return;
        }

        // The decision: durable before the first phase-two commit.
        status = Status.STATUS_COMMITTING;
        LogWrite logWrite = trace.logWrite(toCommit.size());
        try {
            CommitRecord decision = new CommitRecord(gtrid, toCommit, System.currentTimeMillis());
            WriteStats stats = logWrite.stats(); // null unless a span records: then the log measures nothing
            if (stats == null) {
                tm.journal.logCommit(decision);
            } else {
                tm.journal.logCommit(decision, stats);
            }
            tm.counters.decisionsLogged.increment();
            logWrite.end("written", Step.NO_CODE);
        } catch (IOException | RuntimeException e) {
            logWrite.end(e instanceof JournalOutcomeUnknownException ? "unknown" : "failed", Step.NO_CODE);
            if (lastResource != null) {
                // The last resource has committed: that was the decision. Rolling back now would make the outcome mixed for sure.
                log.error("Could not write the commit decision of {} to the recovery log after its last resource {} committed;"
                        + " committing the XA branches without a durable decision (a crash now leaves them to presumed abort)",
                        gtrid, lastResource.resourceName, e);
            } else if (e instanceof JournalOutcomeUnknownException) {
                // The decision may reach the disk: rolling back could contradict it. Leave the branches prepared; after a
                // restart the replay decides (commit if the record is there, else presumed abort) and recovery carries it out.
                log.error("The commit decision of {} may or may not be on disk (the recovery log failed while writing it);"
                        + " leaving its prepared branches to recovery after a restart", gtrid, e);
                for (int i = 0, n = branches.size(); i < n; i++) {
                    Branch b = branches.get(i);
                    if (b.outcome == Branch.PREPARED) {
                        b.outcome = Branch.LEFT_TO_RECOVERY;
                    }
                }
                finish(Status.STATUS_UNKNOWN);
                SystemException unknown = new SystemException("Outcome of transaction " + gtrid + " is unknown: the recovery log"
                        + " failed while writing its commit decision, which may be durable. Its prepared branches are left to recovery,"
                        + " which commits them if the decision is in the log and rolls them back if not (a file log only after the"
                        + " service is restarted) (" + e.getMessage() + ")");
                unknown.initCause(e);
                throw unknown;
            } else {
                log.error("Could not write the commit decision of {} to the recovery log; rolling back", gtrid, e);
                status = Status.STATUS_ROLLING_BACK;
                rollbackEverything();
                throw rollbackException("Transaction " + gtrid + " rolled back: the commit decision could not be written to the recovery log ("
                        + e + ")", e);
            }
        }

        // Phase two (with parallel phases, all at once), then the outcomes of the branches.
        tm.phases.run(this, branches, TransactionImpl::isPrepared, TransactionImpl::commitBranch);
        int heuristicRolledBack = 0;
        int heuristic = 0;
        int leftToRecovery = 0;
        int committed = 0;
        for (int i = 0, n = branches.size(); i < n; i++) {
            Branch b = branches.get(i);
            if (b.last) {
                continue;
            }
            if (b.outcome == Branch.COMMITTED) {
                committed++;
            } else if (b.outcome == Branch.LEFT_TO_RECOVERY) {
                leftToRecovery++;
            } else if (b.outcome == Branch.HEURISTIC) {
                heuristic++;
                if (b.error instanceof XAException x && (x.errorCode == XAException.XA_HEURRB || XaCodes.isRollback(x.errorCode))) {
                    heuristicRolledBack++;
                }
            }
        }
        if (leftToRecovery == 0) {
            tm.journal.logCompleted(gtrid);
        } else {
            tm.inDoubt.leftToRecovery(gtrid.bytes()); // before afterCompletion: e.g. locks stay held until recovery completes it
        }
        if (heuristic > 0) {
            tm.counters.heuristic.increment();
            if (committed == 0 && leftToRecovery == 0 && heuristicRolledBack == heuristic && lastResource == null) {
                finish(Status.STATUS_ROLLEDBACK);
                throw new HeuristicRollbackException("Every branch of transaction " + gtrid + " rolled back on its own after the commit decision: "
                        + heuristicSummary());
            }
            finish(Status.STATUS_UNKNOWN);
            throw new HeuristicMixedException("Transaction " + gtrid + " ended with mixed outcomes after the commit decision: "
                    + heuristicSummary());
        }
        finish(Status.STATUS_COMMITTED);
    }

    private static boolean votes(Branch b) {
        return b.ownsBranch() && !b.last;
    }

    private static boolean isPrepared(Branch b) {
        return b.outcome == Branch.PREPARED;
    }

    /** Phase one on one branch: its vote, or its failure in {@link Branch#error}; false on a no-vote. */
    private boolean prepareBranch(Branch b) {
        Step step = trace.branch(Trace.PREPARE, b.resourceName, null);
        try {
            b.outcome = b.resource.prepare(b.xid) == XAResource.XA_RDONLY ? Branch.READ_ONLY : Branch.PREPARED;
            step.end(b.outcome == Branch.READ_ONLY ? "read_only" : "prepared", Step.NO_CODE);
            return true;
        } catch (XAException | RuntimeException e) {
            b.outcome = (e instanceof XAException x && XaCodes.isRollback(x.errorCode)) ? Branch.ROLLED_BACK : Branch.NONE;
            b.error = e;
            step.end(b.outcome == Branch.ROLLED_BACK ? "no" : "failed", xaCode(e));
            return false;
        }
    }

    /** The XA error code of a failure for its span, or {@link Step#NO_CODE} for a RuntimeException. */
    private static int xaCode(Throwable e) {
        return e instanceof XAException x && x.errorCode != 0 ? x.errorCode : Step.NO_CODE;
    }

    private static String outcomeName(int outcome) {
        return switch (outcome) {
            case Branch.COMMITTED -> "committed";
            case Branch.ROLLED_BACK -> "rolled_back";
            case Branch.HEURISTIC -> "heuristic";
            case Branch.LEFT_TO_RECOVERY -> "left_to_recovery";
            case Branch.READ_ONLY -> "read_only";
            case Branch.PREPARED -> "prepared";
            default -> "unknown";
        };
    }

    /**
     * Phase two on one branch: its outcome; a heuristic one is recorded (its code in {@link Branch#error}).
     * {@code XAER_NOTA} is a heuristic hazard, not a commit: the branch was prepared for this transaction,
     * and nothing in this process finishes a live transaction's branches but this thread (recovery leaves
     * them alone), so someone else finished it, and nobody knows whether they committed it.
     */
    private boolean commitBranch(Branch b) {
        Step step = trace.branch(Trace.COMMIT, b.resourceName, null);
        int failure = Step.NO_CODE;
        try {
            b.resource.commit(b.xid, false);
            b.outcome = Branch.COMMITTED;
        } catch (XAException e) {
            int code = e.errorCode;
            failure = code;
            if (code == XAException.XA_HEURCOM) {
                // the resource committed on its own, as decided
                forget(b);
                b.outcome = Branch.COMMITTED;
            } else if (code == XAException.XAER_NOTA) {
                b.outcome = Branch.HEURISTIC;
                b.error = e;
                recordVanishedBranch(b);
            } else if (XaCodes.isHeuristic(code) || XaCodes.isRollback(code)) {
                b.outcome = Branch.HEURISTIC;
                b.error = e;
                recordHeuristic(b, code, true);
            } else {
                b.outcome = Branch.LEFT_TO_RECOVERY;
                log.warn("Commit of {} failed ({}); the decision stands and recovery will finish the branch", b, XaCodes.describe(e));
            }
        } catch (RuntimeException e) {
            b.outcome = Branch.LEFT_TO_RECOVERY;
            log.warn("Commit of {} threw {}; the decision stands and recovery will finish the branch", b, e.toString());
        }
        step.end(outcomeName(b.outcome), failure);
        return true;
    }

    /**
     * Records a branch that vanished before its phase-two commit as {@code XA_HEURHAZ} (no forget: the
     * resource no longer knows it). Another process finished it: typically a second live service with
     * the same node name whose recovery rolled it back.
     */
    private void recordVanishedBranch(Branch b) {
        log.error("Heuristic hazard: {} no longer knows the prepared branch {} of transaction {} at its phase-two commit (XAER_NOTA);"
                + " another process finished it, as commit or rollback (is another live service using node name {}?)", b.resourceName,
                b.xid, gtrid, Recovery.nodeOf(gtrid));
        try {
            tm.journal.logHeuristic(new HeuristicRecord(gtrid, new BranchRecord(b.xid.bqualBytes(), b.resourceName), XAException.XA_HEURHAZ,
                    true, System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            log.error("Could not record the heuristic hazard of {} in the log", b, e);
        }
    }

    /** The last resource commits in one phase after every XA branch prepared; its outcome decides. */
    private boolean commitLastResource() throws RollbackException, HeuristicMixedException, SystemException {
        Branch lr = lastResource;
        Step step = trace.branch(Trace.COMMIT_ONE_PHASE, lr.resourceName, null);
        try {
            lr.resource.commit(lr.xid, true);
            lr.outcome = Branch.COMMITTED;
            step.end("committed", Step.NO_CODE);
            return true;
        } catch (XAException e) {
            if (e.errorCode == XAException.XA_HEURCOM) {
                // committed on its own, as asked: the transaction is committed, so the XA branches must commit too
                step.end("committed", e.errorCode);
                forget(lr);
                lr.outcome = Branch.COMMITTED;
                return true;
            }
            return lastResourceDidNotCommit(lr, step, e);
        } catch (RuntimeException e) {
            return lastResourceDidNotCommit(lr, step, e);
        }
    }

    /** The last resource did not commit, or nobody knows whether it did: the XA branches roll back. */
    private boolean lastResourceDidNotCommit(Branch lr, Step step, Exception e) throws RollbackException, HeuristicMixedException {
        boolean rolledBack = e instanceof XAException x && (XaCodes.isRollback(x.errorCode) || x.errorCode == XAException.XA_HEURRB
                || x.errorCode == XAException.XAER_NOTA);
        step.end(rolledBack ? "rolled_back" : "unknown", xaCode(e));
        lr.outcome = rolledBack ? Branch.ROLLED_BACK : Branch.HEURISTIC;
        noteRollbackCause(e);
        status = Status.STATUS_ROLLING_BACK;
        if (rolledBack) {
            rollbackEverything();
            throw rollbackException("Transaction " + gtrid + " rolled back: the last resource " + lr.resourceName
                    + " did not commit (" + XaCodes.describe(e) + ")", e);
        }
        // The last resource may have committed: the XA branches roll back, but the transaction's outcome is unknown.
        rollbackBranches();
        tm.counters.heuristic.increment();
        HeuristicMixedException h = new HeuristicMixedException("Transaction " + gtrid + ": the outcome of the last resource "
                + lr.resourceName + " is unknown (" + XaCodes.describe(e) + "); the XA branches were rolled back");
        h.initCause(e);
        finish(Status.STATUS_UNKNOWN);
        throw h;
    }

    private void onePhaseCommit(Branch b) throws RollbackException, HeuristicMixedException, HeuristicRollbackException {
        status = Status.STATUS_COMMITTING;
        Step step = trace.branch(Trace.COMMIT_ONE_PHASE, b.resourceName, null);
        try {
            b.resource.commit(b.xid, true);
            b.outcome = Branch.COMMITTED;
            step.end("committed", Step.NO_CODE);
        } catch (XAException e) {
            int code = e.errorCode;
            step.end(XaCodes.isRollback(code) || code == XAException.XAER_NOTA ? "rolled_back"
                    : code == XAException.XA_HEURCOM ? "committed" : "heuristic", code);
            if (XaCodes.isRollback(code) || code == XAException.XAER_NOTA) {
                b.outcome = Branch.ROLLED_BACK;
                noteRollbackCause(e);
                finish(Status.STATUS_ROLLEDBACK);
                throw rollbackException("Transaction " + gtrid + " rolled back: " + b.resourceName + " did not commit in one phase ("
                        + XaCodes.describe(e) + ")", e);
            }
            if (code == XAException.XA_HEURCOM) {
                forget(b);
                b.outcome = Branch.COMMITTED;
            } else {
                tm.counters.heuristic.increment();
                b.outcome = Branch.HEURISTIC;
                if (XaCodes.isHeuristic(code)) {
                    recordHeuristic(b, code, true);
                }
                if (code == XAException.XA_HEURRB) {
                    finish(Status.STATUS_ROLLEDBACK);
                    throw new HeuristicRollbackException("Transaction " + gtrid + ": " + b.resourceName + " rolled back heuristically");
                }
                finish(Status.STATUS_UNKNOWN);
                HeuristicMixedException h = new HeuristicMixedException("Transaction " + gtrid + ": the outcome of the one-phase commit on "
                        + b.resourceName + " is unknown or mixed (" + XaCodes.describe(e) + ")");
                h.initCause(e);
                throw h;
            }
        } catch (RuntimeException e) {
            step.end("unknown", Step.NO_CODE);
            tm.counters.heuristic.increment();
            finish(Status.STATUS_UNKNOWN);
            HeuristicMixedException h = new HeuristicMixedException("Transaction " + gtrid + ": the one-phase commit on " + b.resourceName
                    + " threw " + e + "; its outcome is unknown");
            h.initCause(e);
            throw h;
        }
        finish(Status.STATUS_COMMITTED);
    }

    // ------------------------------------------------------------------ rollback

    @Override
    public void rollback() throws IllegalStateException, SystemException {
        synchronized (this) {
            if (!timedOut) {
                int s = status;
                if (completing || (s != Status.STATUS_ACTIVE && s != Status.STATUS_MARKED_ROLLBACK)) {
                    throw new IllegalStateException("Cannot roll back transaction " + gtrid + " in status " + statusName(s));
                }
                completing = true;
                status = Status.STATUS_ROLLING_BACK;
            }
        }
        if (timedOut) {
            awaitTimeoutRollback(); // a timeout worker took it: done once its rollback is
            return;
        }
        try {
            endAssociations(XAResource.TMFAIL);
            rollbackEverything();
        } finally {
            tm.finished(this);
        }
    }

    /**
     * Called by a timeout worker for a transaction past its deadline; makes no XA call, but waits for this object's
     * monitor (which enlistResource and delistResource hold during their XA call, so the reaper thread itself must not
     * call this). Takes the transaction for rollback unless someone has started to prepare or roll it back: it may be
     * ACTIVE or MARKED_ROLLBACK with {@code commit()} still in beforeCompletion. Enlistment, delisting and
     * registration are shut out from here on.
     *
     * @return true when the caller must now run {@link #rollbackAfterTimeout}
     */
    boolean takeForTimeout() {
        synchronized (this) {
            int s = status;
            if (timedOut || (s != Status.STATUS_ACTIVE && s != Status.STATUS_MARKED_ROLLBACK)) {
                return false;
            }
            timedOut = true;
            completing = true;
            status = Status.STATUS_ROLLING_BACK;
            timeoutRollbackDone = new CountDownLatch(1);
        }
        tm.counters.timedOut.increment();
        return true;
    }

    /**
     * The XA half of a timeout, on the timeout worker after {@link #takeForTimeout}: ends every association, rolls back
     * every branch, runs afterCompletion, then lets {@code commit()} or {@code rollback()} waiting for it return.
     */
    void rollbackAfterTimeout() {
        log.warn("Transaction {} timed out after {} s; rolling it back", gtrid, timeoutSeconds);
        try {
            endAssociations(XAResource.TMFAIL);
            rollbackEverything();
        } finally {
            tm.finished(this);
            timeoutRollbackDone().countDown();
        }
    }

    private synchronized CountDownLatch timeoutRollbackDone() {
        return timeoutRollbackDone;
    }

    /** Waits until the timeout worker's rollback has finished; an interrupt does not cut the wait short but is kept. */
    private void awaitTimeoutRollback() {
        CountDownLatch done = timeoutRollbackDone();
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** For commit() of a transaction a timeout worker took: waits for its rollback, then says what happened. */
    private RollbackException timedOutRollback() {
        awaitTimeoutRollback();
        int s = status;
        return rollbackException("Transaction " + gtrid + " timed out after " + timeoutSeconds + " s and "
                + (s == Status.STATUS_ROLLEDBACK ? "was rolled back" : "is left to roll back (status " + statusName(s) + ")"),
                rollbackCause());
    }

    /** Ends every branch still associated or suspended. Returns false when one failed (the transaction must roll back). */
    private boolean endAssociations(int flag) {
        ArrayList<Branch> list;
        synchronized (this) {
            list = branches;
        }
        if (flag == XAResource.TMSUCCESS) {
            // With parallel phases the ends overlap too: a JMS session's end waits for its acknowledgements.
            tm.phases.run(this, list, TransactionImpl::associated, TransactionImpl::endBranch);
            boolean ok = true;
            for (int i = 0, n = list.size(); i < n; i++) {
                Branch b = list.get(i);
                if (b.error != null) {
                    noteRollbackCause(b.error);
                    ok = false;
                }
            }
            return ok;
        }
        for (int i = 0, n = list.size(); i < n; i++) {
            Branch b = list.get(i);
            if (b.association == Branch.ENDED) {
                continue;
            }
            try {
                b.resource.end(b.xid, flag);
            } catch (XAException | RuntimeException e) {
                // rolling back anyway
            }
            b.association = Branch.ENDED;
        }
        return true;
    }

    private static boolean associated(Branch b) {
        return b.association != Branch.ENDED;
    }

    /**
     * Ends one branch's association with success, or with TMFAIL once another branch's end has failed (the transaction
     * will roll back); a failure goes to {@link Branch#error} and makes the transaction roll back. An {@code XA_RB*}
     * from end leaves the branch to {@link #rollbackBranch}: unlike one from prepare, it marked the branch
     * rollback-only but the branch (and its locks) stays in the resource manager until {@code xa_rollback}.
     */
    private boolean endBranch(Branch b) {
        try {
            b.resource.end(b.xid, endFailed ? XAResource.TMFAIL : XAResource.TMSUCCESS);
        } catch (XAException | RuntimeException e) {
            log.warn("Ending {} failed ({}); rolling back", b, XaCodes.describe(e));
            b.error = e;
            endFailed = true;
        }
        b.association = Branch.ENDED;
        return true;
    }

    /** Rolls back every branch not known to be finished, then runs afterCompletion. Presumed abort: nothing is logged. */
    private void rollbackEverything() {
        rollbackBranches();
        finish(Status.STATUS_ROLLEDBACK);
    }

    /** Rolls back every branch not known to be finished; leaves the status and the synchronizations alone. */
    private void rollbackBranches() {
        tm.phases.run(this, branches, TransactionImpl::toRollBack, TransactionImpl::rollbackBranch);
    }

    private static boolean toRollBack(Branch b) {
        return b.ownsBranch() && b.outcome != Branch.READ_ONLY && b.outcome != Branch.ROLLED_BACK && b.outcome != Branch.HEURISTIC;
    }

    private boolean rollbackBranch(Branch b) {
        Step step = trace.branch(Trace.ROLLBACK, b.resourceName, null);
        int failure = Step.NO_CODE;
        if (b.association != Branch.ENDED) {
            try {
                b.resource.end(b.xid, XAResource.TMFAIL);
            } catch (XAException | RuntimeException ignored) {
                // rolling back anyway
            }
            b.association = Branch.ENDED;
        }
        try {
            b.resource.rollback(b.xid);
            b.outcome = Branch.ROLLED_BACK;
        } catch (XAException e) {
            int code = e.errorCode;
            failure = code;
            if (code == XAException.XAER_NOTA || XaCodes.isRollback(code) || code == XAException.XA_HEURRB) {
                if (code == XAException.XA_HEURRB) {
                    forget(b);
                }
                b.outcome = Branch.ROLLED_BACK;
            } else if (code == XAException.XA_HEURCOM || code == XAException.XA_HEURMIX || code == XAException.XA_HEURHAZ) {
                b.outcome = Branch.HEURISTIC;
                tm.counters.heuristic.increment();
                recordHeuristic(b, code, false);
            } else {
                b.outcome = Branch.LEFT_TO_RECOVERY;
                log.warn("Rollback of {} failed ({}); recovery will roll it back (presumed abort)", b, XaCodes.describe(e));
            }
        } catch (RuntimeException e) {
            b.outcome = Branch.LEFT_TO_RECOVERY;
            log.warn("Rollback of {} threw {}; recovery will roll it back (presumed abort)", b, e.toString());
        }
        step.end(outcomeName(b.outcome), failure);
        return true;
    }

    // ------------------------------------------------------------------ heuristics

    /** Keeps the outcome in the log until an operator resolves it, then lets the resource forget it. */
    private void recordHeuristic(Branch b, int code, boolean decisionWasCommit) {
        log.error("Heuristic outcome {} from {} for transaction {} (decision was {})", XaCodes.name(code), b.resourceName, b.xid,
                decisionWasCommit ? "commit" : "rollback");
        try {
            tm.journal.logHeuristic(new HeuristicRecord(gtrid, new BranchRecord(b.xid.bqualBytes(), b.resourceName), code,
                    decisionWasCommit, System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            log.error("Could not record the heuristic outcome of {} in the log; the resource keeps it for recovery", b, e);
            return;
        }
        forget(b);
    }

    private void forget(Branch b) {
        try {
            b.resource.forget(b.xid);
        } catch (XAException | RuntimeException e) {
            log.warn("forget of {} failed ({})", b, XaCodes.describe(e));
        }
    }

    private String heuristicSummary() {
        StringBuilder sb = new StringBuilder();
        for (Branch b : branches) {
            if (!b.ownsBranch() || b.outcome == Branch.READ_ONLY) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(b.resourceName).append('=').append(switch (b.outcome) {
                case Branch.COMMITTED -> "committed";
                case Branch.ROLLED_BACK -> "rolled back";
                case Branch.HEURISTIC -> "heuristic";
                case Branch.LEFT_TO_RECOVERY -> "left to recovery";
                default -> "unknown";
            });
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ the end

    private void finish(int finalStatus) {
        status = finalStatus;
        if (finalStatus == Status.STATUS_COMMITTED) {
            tm.counters.committed.increment();
        } else if (finalStatus == Status.STATUS_ROLLEDBACK) {
            tm.counters.rolledBack.increment();
        }
        afterCompletion(finalStatus);
        if (trace != Trace.NONE) {
            endTrace(finalStatus);
        }
    }

    /** Ends the transaction's span: committed, rolled_back, timed_out, heuristic (a branch's outcome was) or unknown. */
    private void endTrace(int finalStatus) {
        boolean heuristic = false;
        for (int i = 0, n = branches.size(); i < n; i++) {
            heuristic |= branches.get(i).outcome == Branch.HEURISTIC;
        }
        String outcome = heuristic ? "heuristic"
                : timedOut ? "timed_out"
                : finalStatus == Status.STATUS_COMMITTED ? "committed"
                : finalStatus == Status.STATUS_ROLLEDBACK ? "rolled_back" : "unknown";
        trace.end(outcome, heuristic || timedOut || finalStatus == Status.STATUS_UNKNOWN);
    }

    private RollbackException rollbackException(String message, Throwable cause) {
        RollbackException e = new RollbackException(message);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static SystemException systemException(String message, Throwable cause) {
        SystemException e = new SystemException(message);
        e.initCause(cause);
        return e;
    }

    static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_ACTIVE -> "ACTIVE";
            case Status.STATUS_MARKED_ROLLBACK -> "MARKED_ROLLBACK";
            case Status.STATUS_PREPARED -> "PREPARED";
            case Status.STATUS_COMMITTED -> "COMMITTED";
            case Status.STATUS_ROLLEDBACK -> "ROLLEDBACK";
            case Status.STATUS_UNKNOWN -> "UNKNOWN";
            case Status.STATUS_NO_TRANSACTION -> "NO_TRANSACTION";
            case Status.STATUS_PREPARING -> "PREPARING";
            case Status.STATUS_COMMITTING -> "COMMITTING";
            case Status.STATUS_ROLLING_BACK -> "ROLLING_BACK";
            default -> "status " + status;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionImpl t && t.gtrid.equals(gtrid);
    }

    @Override
    public int hashCode() {
        return gtrid.hashCode();
    }

    @Override
    public String toString() {
        return "Transaction " + gtrid + " " + statusName(status);
    }
}
