package dev.pledge.tm;

import dev.pledge.tm.LogRecords.BranchRecord;
import dev.pledge.tm.LogRecords.CommitRecord;
import dev.pledge.tm.LogRecords.HeuristicRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives in-doubt branches to the logged outcome. Resources are registered by name (the name the
 * log keeps next to each branch); a pass asks each for its prepared Xids and sorts them:
 * <ul>
 * <li>another format or another node's Xid: left alone;</li>
 * <li>a transaction still running in this process: left alone;</li>
 * <li>a commit record exists: commit;</li>
 * <li>otherwise: roll back (presumed abort).</li>
 * </ul>
 * {@code XAER_NOTA} means the branch is already finished; {@code XAER_RMFAIL}, an exception or an
 * unreachable resource leaves it pending for the next pass. A commit record is completed once
 * every branch in it is resolved; a branch counts as resolved when the pass finished it, or when a
 * scan that started after the decision was logged no longer lists it (and the transaction was not
 * still finishing in this process).
 * <p>
 * Heuristic policy: a heuristic outcome that matches the decision ({@code XA_HEURCOM} on commit,
 * {@code XA_HEURRB} on rollback) is forgotten at the resource and counted as done. Any other
 * heuristic outcome is written to the log as a heuristic record, reported, and then forgotten at
 * the resource, so the resource manager is freed and the log keeps the evidence until an operator
 * resolves it ({@code pledge log resolve}).
 */
public final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final TransactionManagerImpl tm;
    private final Journal journal;
    private final byte[] nodeName;
    private final Map<String, Supplier<? extends XAResource>> resources = new LinkedHashMap<>();
    private final Runnable onRegister;

    Recovery(TransactionManagerImpl tm, Journal journal, byte[] nodeName, Runnable onRegister) {
        this.tm = tm;
        this.journal = journal;
        this.nodeName = nodeName;
        this.onRegister = onRegister;
    }

    /**
     * Registers how to reach a resource manager for recovery. If what the supplier returns is
     * {@link AutoCloseable}, it is closed after the pass. Registering a name again replaces it.
     */
    public void register(String name, Supplier<? extends XAResource> resource) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(resource, "resource");
        synchronized (resources) {
            resources.put(name, resource);
        }
        onRegister.run();
    }

    /** Removes a registration; branches on it stay pending until it comes back. */
    public void unregister(String name) {
        synchronized (resources) {
            resources.remove(name);
        }
    }

    /** Runs one pass now, on the calling thread. Passes never overlap. */
    public synchronized RecoveryReport runPass() {
        Map<String, Supplier<? extends XAResource>> snapshot;
        synchronized (resources) {
            snapshot = new LinkedHashMap<>(resources);
        }
        Pass pass = new Pass(decidedBeforeScans());
        for (Map.Entry<String, Supplier<? extends XAResource>> e : snapshot.entrySet()) {
            pass.recoverResource(e.getKey(), e.getValue());
        }
        pass.completeDecisions();
        RecoveryReport report = new RecoveryReport(pass.committed, pass.rolledBack, pass.heuristic, pass.pending, pass.problems);
        if (report.committed() + report.rolledBack() + report.heuristic() + report.pending() > 0 || !report.problems().isEmpty()) {
            log.info("{}", report);
        } else {
            log.debug("{}", report);
        }
        return report;
    }

    /** The decisions already logged before any scan starts: only their branches can be judged by what the scans find. */
    private Set<Gtrid> decidedBeforeScans() {
        Set<Gtrid> out = new HashSet<>();
        for (CommitRecord c : journal.pendingCommits()) {
            out.add(c.gtrid());
        }
        return out;
    }

    /** One pass's bookkeeping. */
    private final class Pass {
        int committed;
        int rolledBack;
        int heuristic;
        int pending;
        final List<String> problems = new ArrayList<>();
        /** Resources whose scan completed, with the Pledge Xids they still held (after this pass acted). */
        final Map<String, Set<Xid>> scanned = new HashMap<>();
        /** Branches of commit records resolved by this pass: gtrid → bquals. */
        final Map<Gtrid, Set<BranchKey>> resolved = new HashMap<>();
        /** Decisions logged before the first scan. A younger one may have prepared a branch after its resource was scanned. */
        final Set<Gtrid> decidedBefore;
        /** Transactions a scan found prepared but left to their own thread: the scan says nothing about how they end. */
        final Set<Gtrid> seenLive = new HashSet<>();

        Pass(Set<Gtrid> decidedBefore) {
            this.decidedBefore = decidedBefore;
        }

        void recoverResource(String name, Supplier<? extends XAResource> supplier) {
            XAResource xares;
            try {
                xares = supplier.get();
                if (xares == null) {
                    throw new IllegalStateException("the supplier returned null");
                }
            } catch (RuntimeException e) {
                problems.add(name + " unreachable: " + e.getMessage());
                log.warn("Recovery could not reach resource {}: {}", name, e.toString());
                return;
            }
            try {
                List<Xid> xids = scan(xares);
                Set<Xid> stillThere = new HashSet<>();
                for (Xid xid : xids) {
                    if (!isOurs(xid)) {
                        continue;
                    }
                    Gtrid gtrid = Gtrid.of(xid.getGlobalTransactionId());
                    if (tm.isLive(gtrid)) {
                        seenLive.add(gtrid);
                        continue; // running in this process: its own thread finishes it
                    }
                    PledgeXid ours = new PledgeXid(gtrid.bytes(), xid.getBranchQualifier());
                    CommitRecord decision = journal.pendingCommit(gtrid);
                    boolean done = decision != null ? commit(name, xares, ours, decision) : rollback(name, xares, ours);
                    if (!done) {
                        stillThere.add(ours);
                    }
                }
                scanned.put(name, stillThere);
            } catch (XAException | RuntimeException e) {
                problems.add(name + " failed to list its in-doubt branches: " + XaCodes.describe(e));
                log.warn("Recovery scan of {} failed: {}", name, XaCodes.describe(e));
            } finally {
                if (xares instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        log.debug("closing recovery resource {} failed", name, e);
                    }
                }
            }
        }

        private List<Xid> scan(XAResource xares) throws XAException {
            List<Xid> all = new ArrayList<>();
            Set<Xid> seen = new HashSet<>();
            Xid[] batch = xares.recover(XAResource.TMSTARTRSCAN);
            int rounds = 0;
            while (batch != null && batch.length > 0 && rounds++ < 1000) {
                boolean fresh = false;
                for (Xid x : batch) {
                    if (x != null && seen.add(new PledgeXid(x.getGlobalTransactionId(), x.getBranchQualifier()))) {
                        all.add(x);
                        fresh = true;
                    }
                }
                if (!fresh) {
                    break; // a resource that answers the whole list every time
                }
                batch = xares.recover(XAResource.TMNOFLAGS);
            }
            xares.recover(XAResource.TMENDRSCAN);
            return all;
        }

        private boolean isOurs(Xid xid) {
            return xid.getFormatId() == PledgeXid.FORMAT_ID && new Gtrid(xid.getGlobalTransactionId()).isFromNode(nodeName);
        }

        /** Returns true when the branch is finished. */
        private boolean commit(String name, XAResource xares, PledgeXid xid, CommitRecord decision) {
            try {
                xares.commit(xid, false);
                committed++;
                markResolved(xid);
                log.info("Recovery committed {} on {}", xid, name);
                return true;
            } catch (XAException e) {
                int code = e.errorCode;
                if (code == XAException.XAER_NOTA) {
                    markResolved(xid);
                    return true;
                }
                if (code == XAException.XA_HEURCOM) {
                    forget(xares, xid, name);
                    committed++;
                    markResolved(xid);
                    return true;
                }
                if (XaCodes.isHeuristic(code) || XaCodes.isRollback(code)) {
                    heuristic(name, xares, xid, code, true);
                    markResolved(xid);
                    return true;
                }
                pendingBranch(name, xid, "commit", e);
                return false;
            } catch (RuntimeException e) {
                pendingBranch(name, xid, "commit", e);
                return false;
            }
        }

        private boolean rollback(String name, XAResource xares, PledgeXid xid) {
            try {
                xares.rollback(xid);
                rolledBack++;
                log.info("Recovery rolled back {} on {} (no commit decision: presumed abort)", xid, name);
                return true;
            } catch (XAException e) {
                int code = e.errorCode;
                if (code == XAException.XAER_NOTA || XaCodes.isRollback(code)) {
                    return true;
                }
                if (code == XAException.XA_HEURRB) {
                    forget(xares, xid, name);
                    rolledBack++;
                    return true;
                }
                if (XaCodes.isHeuristic(code)) {
                    heuristic(name, xares, xid, code, false);
                    return true;
                }
                pendingBranch(name, xid, "rollback", e);
                return false;
            } catch (RuntimeException e) {
                pendingBranch(name, xid, "rollback", e);
                return false;
            }
        }

        private void heuristic(String name, XAResource xares, PledgeXid xid, int code, boolean decisionWasCommit) {
            heuristic++;
            tm.counters.heuristic.increment();
            String msg = name + " reports " + XaCodes.name(code) + " for " + xid + " (decision: " + (decisionWasCommit ? "commit" : "rollback") + ")";
            problems.add(msg);
            log.error("Heuristic outcome: {}", msg);
            try {
                journal.logHeuristic(new HeuristicRecord(new Gtrid(xid.getGlobalTransactionId()), new BranchRecord(xid.bqualBytes(), name),
                        code, decisionWasCommit, System.currentTimeMillis()));
                forget(xares, xid, name);
            } catch (IOException | RuntimeException e) {
                log.error("Could not record the heuristic outcome of {}; leaving it at {} for the next pass", xid, name, e);
            }
        }

        private void pendingBranch(String name, PledgeXid xid, String action, Throwable e) {
            pending++;
            problems.add(action + " of " + xid + " on " + name + " failed (" + XaCodes.describe(e) + "); retried next pass");
            log.warn("Recovery could not {} {} on {}: {}; retrying next pass", action, xid, name, XaCodes.describe(e));
        }

        private void forget(XAResource xares, PledgeXid xid, String name) {
            try {
                xares.forget(xid);
            } catch (XAException | RuntimeException e) {
                log.warn("forget of {} on {} failed: {}", xid, name, XaCodes.describe(e));
            }
        }

        private void markResolved(PledgeXid xid) {
            resolved.computeIfAbsent(new Gtrid(xid.getGlobalTransactionId()), g -> new HashSet<>()).add(new BranchKey(xid.bqualBytes()));
        }

        /** Completes every decision whose branches are all known to be done; reports the rest. */
        void completeDecisions() {
            for (CommitRecord decision : journal.pendingCommits()) {
                Gtrid g = decision.gtrid();
                if (!decidedBefore.contains(g) || seenLive.contains(g) || tm.isLive(g)) {
                    continue; // decided or finishing in this process while the pass ran: the next pass judges it
                }
                List<String> open = new ArrayList<>();
                Set<BranchKey> done = resolved.getOrDefault(decision.gtrid(), Set.of());
                for (BranchRecord b : decision.branches()) {
                    if (done.contains(new BranchKey(b.bqual()))) {
                        continue;
                    }
                    Set<Xid> held = scanned.get(b.resourceName());
                    if (held == null) {
                        open.add(b.resourceName() + (isRegistered(b.resourceName()) ? " (unreachable)" : " (not registered for recovery)"));
                    } else if (held.contains(new PledgeXid(decision.gtrid().bytes(), b.bqual()))) {
                        open.add(b.resourceName() + " (still prepared)");
                    }
                    // else: the resource no longer holds the branch, so it committed
                }
                if (open.isEmpty()) {
                    journal.logCompleted(decision.gtrid());
                    tm.inDoubt.completedByRecovery(decision.gtrid().bytes());
                } else {
                    long ageSeconds = (System.currentTimeMillis() - decision.decidedAtMillis()) / 1000;
                    for (String o : open) {
                        if (!o.endsWith("(still prepared)")) {
                            pending++;
                        }
                    }
                    problems.add("committed transaction " + decision.gtrid() + " (decided " + ageSeconds + " s ago) waits for " + String.join(", ", open));
                }
            }
            for (HeuristicRecord h : journal.heuristics()) {
                log.warn("Unresolved heuristic outcome {} for {} on {}; resolve it with 'pledge log resolve {}'", XaCodes.name(h.xaCode()),
                        h.gtrid(), h.branch().resourceName(), h.gtrid());
            }
        }

        private boolean isRegistered(String name) {
            synchronized (resources) {
                return resources.containsKey(name);
            }
        }
    }

    private record BranchKey(byte[] bqual) {
        @Override
        public boolean equals(Object o) {
            return o instanceof BranchKey k && Arrays.equals(k.bqual, bqual);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bqual);
        }
    }
}
