package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import dev.pledge.tm.trace.Step;
import dev.pledge.tm.trace.Trace;
import dev.pledge.tm.trace.TransactionTracer;
import java.io.IOException;
import java.time.Instant;
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
 * <li>another format or another node's Xid: left alone (this node's own names are its node name and
 * the names it was renamed from, see {@link TransactionService.Builder#renamedFrom});</li>
 * <li>a transaction still running in this process: left alone;</li>
 * <li>a commit record exists: commit;</li>
 * <li>otherwise: roll back (presumed abort).</li>
 * </ul>
 * {@code XAER_NOTA} means the branch is already finished; {@code XAER_RMFAIL}, an exception or an
 * unreachable resource leaves it pending for the next pass. A commit record is completed once
 * every branch in it is resolved; a branch counts as resolved when the pass finished it, or when a
 * complete scan that started after the decision was logged no longer lists it (and the transaction
 * was not still finishing in this process). Only scans that could have listed the branch count:
 * <ul>
 * <li>a scan lists only this node's own names, so a decision of another node name found in the log
 * is reported every pass and never completed;</li>
 * <li>a scan that failed, or stopped at its cap of 1000 rounds of {@code recover}, proves
 * nothing (the Xids it did list are still driven to their outcome);</li>
 * <li>a branch logged under a name no resource is registered under (a plain {@link XAResource}
 * enlisted by third-party code is logged under its class name) is committed wherever a scan finds
 * its Xid; its absence proves something only for a name declared with {@link #resolveByXid}: then
 * it is resolved when a pass in which every registered resource was scanned completely found it on
 * none of them. Without the declaration the decision waits, since the branch may be on a resource
 * manager that is not registered yet (registering it later would roll the branch back).</li>
 * </ul>
 * <p>
 * Heuristic policy: a heuristic outcome that matches the decision ({@code XA_HEURCOM} on commit,
 * {@code XA_HEURRB} on rollback) is forgotten at the resource and counted as done. Any other
 * heuristic outcome is written to the log as a heuristic record, reported, and then forgotten at
 * the resource, so the resource manager is freed and the log keeps the evidence until an operator
 * resolves it ({@code pledge log resolve}).
 */
public final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    /** Calls of {@code recover(TMNOFLAGS)} after which a scan gives up; a scan stopped there is incomplete. */
    static final int MAX_SCAN_ROUNDS = 1000;

    private final TransactionManagerImpl tm;
    private final Journal journal;
    /** The node name, then the names this node was renamed from: Xids and decisions of these are this node's. */
    private final List<byte[]> ownNames;
    private final Map<String, Supplier<? extends XAResource>> resources;
    /** Logged resource names whose branches are on registered resources, found by Xid (guarded by {@link #resources}). */
    private final Set<String> byXid;
    private final Runnable onRegister;
    private volatile Health.RecoveryPass lastPass;
    private final TransactionTracer tracer;

    Recovery(TransactionManagerImpl tm, Journal journal, List<byte[]> ownNames, Runnable onRegister, TransactionTracer tracer) {
        this(tm, journal, ownNames, onRegister, tracer, new LinkedHashMap<>(), new HashSet<>());
    }

    private Recovery(TransactionManagerImpl tm, Journal journal, List<byte[]> ownNames, Runnable onRegister, TransactionTracer tracer,
                     Map<String, Supplier<? extends XAResource>> resources, Set<String> byXid) {
        this.resources = resources;
        this.byXid = byXid;
        this.tracer = tracer;
        this.tm = tm;
        this.journal = journal;
        this.ownNames = List.copyOf(ownNames);
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

    /**
     * Declares that branches logged under {@code loggedName} are held by resource managers registered
     * here under other names. Third-party code that enlists a plain {@link XAResource} (not a
     * {@link PledgeXAResource}) gets its branches logged under the resource's class name, e.g.
     * {@code org.apache.activemq.artemis.core.client.impl.ClientSessionImpl} for Artemis's JMS bridge,
     * while the broker is registered for recovery under a name of its own. Recovery commits such a
     * branch wherever a scan lists its Xid, and with this declaration it also takes the branch as done
     * once a pass scanned every registered resource completely and none listed it, so the decision
     * leaves the log. Declare a name only when every resource manager that branches of that name can
     * be on is registered: one that is not would have its branch rolled back when it is registered later.
     */
    public void resolveByXid(String loggedName) {
        Objects.requireNonNull(loggedName, "loggedName");
        synchronized (resources) {
            byXid.add(loggedName);
        }
        onRegister.run();
    }

    /** Removes a registration; branches on it stay pending until it comes back. */
    public void unregister(String name) {
        synchronized (resources) {
            resources.remove(name);
        }
    }

    /**
     * Removes the registration of {@code name} only if it is still {@code resource}: a pool that closes
     * after its successor registered under the same name (a web application redeployed while the old one
     * stops, as Jetty does) must not take the successor's registration away.
     */
    public void unregister(String name, Supplier<? extends XAResource> resource) {
        synchronized (resources) {
            resources.remove(name, resource);
        }
    }

    /**
     * Recovery of another node's log that this node adopted: the same registered resources (matched by
     * the names in the log), the adopted node's name as the only own name, and its log.
     */
    Recovery forAdoptedNode(Journal adopted, String nodeName) {
        return new Recovery(tm, adopted, List.of(nodeName.getBytes(java.nio.charset.StandardCharsets.UTF_8)), () -> { }, tracer,
                resources, byXid);
    }

    /** Whether at least one resource is registered: without one, no pass can prove that nothing is in doubt. */
    boolean hasResources() {
        synchronized (resources) {
            return !resources.isEmpty();
        }
    }

    /** The last pass that ended, or null before the first. */
    Health.RecoveryPass lastPass() {
        return lastPass;
    }

    /** Runs one pass now, on the calling thread. Passes never overlap. */
    public synchronized RecoveryReport runPass() {
        Trace trace = tracer.recoveryPass();
        try {
            RecoveryReport report = pass(trace);
            trace.end(report.isClean() ? "clean" : "pending", false);
            return report;
        } catch (RuntimeException | Error e) {
            lastPass = new Health.RecoveryPass(Instant.now(), new RecoveryReport(0, 0, 0, 0, List.of("the pass failed: " + e)));
            trace.end("failed", true);
            throw e;
        }
    }

    private RecoveryReport pass(Trace trace) {
        Map<String, Supplier<? extends XAResource>> snapshot;
        synchronized (resources) {
            snapshot = new LinkedHashMap<>(resources);
        }
        Pass pass = new Pass(decidedBeforeScans(), snapshot.keySet(), trace);
        for (Map.Entry<String, Supplier<? extends XAResource>> e : snapshot.entrySet()) {
            pass.recoverResource(e.getKey(), e.getValue());
        }
        pass.completeDecisions();
        RecoveryReport report = new RecoveryReport(pass.committed, pass.rolledBack, pass.heuristic, pass.pending, pass.problems);
        lastPass = new Health.RecoveryPass(Instant.now(), report);
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
        /** The pass's trace: a child step per branch it resolves. */
        final Trace trace;
        /** The XA code of the last branch's failure or heuristic outcome, for its step. */
        int lastXaCode;
        /** Resources whose scan completed, with the Pledge Xids they still held (after this pass acted). */
        final Map<String, Set<Xid>> scanned = new HashMap<>();
        /** Branches of commit records resolved by this pass: gtrid → bquals. */
        final Map<Gtrid, Set<BranchKey>> resolved = new HashMap<>();
        /** Decisions logged before the first scan. A younger one may have prepared a branch after its resource was scanned. */
        final Set<Gtrid> decidedBefore;
        /** Transactions a scan found prepared but left to their own thread: the scan says nothing about how they end. */
        final Set<Gtrid> seenLive = new HashSet<>();
        /** Resources whose scan stopped at the round cap: what they listed was acted on, but proves nothing about the rest. */
        final Set<String> incomplete = new HashSet<>();
        /** The names registered when the pass started, each scanned once. */
        final Set<String> registered;

        Pass(Set<Gtrid> decidedBefore, Set<String> registered, Trace trace) {
            this.trace = trace;
            this.decidedBefore = decidedBefore;
            this.registered = Set.copyOf(registered);
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
                Scan found = scan(xares);
                Set<Xid> stillThere = new HashSet<>();
                for (Xid xid : found.xids()) {
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
                    Step step = trace.branch(decision != null ? Trace.COMMIT : Trace.ROLLBACK, name, gtrid);
                    lastXaCode = Step.NO_CODE;
                    int heuristicsBefore = heuristic;
                    boolean done = decision != null ? commit(name, xares, ours, decision) : rollback(name, xares, ours);
                    step.end(!done ? "pending" : heuristic > heuristicsBefore ? "heuristic"
                            : decision != null ? "committed" : "rolled_back", lastXaCode);
                    if (!done) {
                        stillThere.add(ours);
                    }
                }
                if (found.complete()) {
                    scanned.put(name, stillThere);
                } else {
                    incomplete.add(name);
                    problems.add(name + " listed in-doubt branches for " + MAX_SCAN_ROUNDS + " rounds without an end; its list may be"
                            + " partial, so it completes no decision this pass");
                    log.warn("Recovery scan of {} stopped after {} rounds of recover(); treating the scan as incomplete", name, MAX_SCAN_ROUNDS);
                }
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

        /**
         * One scan: TMSTARTRSCAN, TMNOFLAGS until a batch is empty or brings nothing new, then TMENDRSCAN,
         * whose answer counts too. Incomplete when it stopped at {@link #MAX_SCAN_ROUNDS} with more to come.
         */
        private Scan scan(XAResource xares) throws XAException {
            List<Xid> all = new ArrayList<>();
            Set<Xid> seen = new HashSet<>();
            boolean complete = true;
            Xid[] batch = xares.recover(XAResource.TMSTARTRSCAN);
            int rounds = 0;
            while (batch != null && batch.length > 0) {
                if (!addFresh(batch, seen, all)) {
                    break; // a resource that answers the whole list every time
                }
                if (rounds++ == MAX_SCAN_ROUNDS) {
                    complete = false;
                    break;
                }
                batch = xares.recover(XAResource.TMNOFLAGS);
            }
            Xid[] last = xares.recover(XAResource.TMENDRSCAN);
            if (last != null) {
                addFresh(last, seen, all);
            }
            return new Scan(all, complete);
        }

        private static boolean addFresh(Xid[] batch, Set<Xid> seen, List<Xid> all) {
            boolean fresh = false;
            for (Xid x : batch) {
                if (x != null && seen.add(new PledgeXid(x.getGlobalTransactionId(), x.getBranchQualifier()))) {
                    all.add(x);
                    fresh = true;
                }
            }
            return fresh;
        }

        private boolean isOurs(Xid xid) {
            return xid.getFormatId() == PledgeXid.FORMAT_ID && isOwn(new Gtrid(xid.getGlobalTransactionId()));
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
            lastXaCode = code;
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
            lastXaCode = e instanceof XAException x && x.errorCode != 0 ? x.errorCode : Step.NO_CODE;
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
            // registered when the pass started or since: a resource registered while it ran was not scanned
            Set<String> names = new HashSet<>(registered);
            Set<String> findableByXid;
            synchronized (resources) {
                names.addAll(resources.keySet());
                findableByXid = Set.copyOf(byXid);
            }
            boolean scannedAll = !names.isEmpty() && scanned.keySet().containsAll(names);
            for (CommitRecord decision : journal.pendingCommits()) {
                Gtrid g = decision.gtrid();
                if (!isOwn(g)) {
                    // no scan of this pass could list its branches: their absence proves nothing
                    pending += decision.branches().size();
                    String other = nodeOf(g);
                    problems.add("committed transaction " + g + " was decided by node name " + (other == null ? "unknown" : "'" + other + "'")
                            + ", not this node's; its branches are not recovered here and its decision stays in the log (start the"
                            + " service with renamedFrom(\"" + (other == null ? "old-name" : other) + "\") if that was this node's former name)");
                    log.warn("The log holds the commit decision of {} by another node name; recovery leaves it alone", g);
                    continue;
                }
                if (!decidedBefore.contains(g) || seenLive.contains(g) || tm.isLive(g)) {
                    continue; // decided or finishing in this process while the pass ran: the next pass judges it
                }
                List<String> open = new ArrayList<>();
                Set<BranchKey> done = resolved.getOrDefault(decision.gtrid(), Set.of());
                for (BranchRecord b : decision.branches()) {
                    if (done.contains(new BranchKey(b.bqual()))) {
                        continue;
                    }
                    PledgeXid xid = new PledgeXid(decision.gtrid().bytes(), b.bqual());
                    if (names.contains(b.resourceName())) {
                        Set<Xid> held = scanned.get(b.resourceName());
                        if (held == null) {
                            open.add(b.resourceName() + (incomplete.contains(b.resourceName()) ? " (its scan was incomplete)" : " (unreachable)"));
                        } else if (held.contains(xid)) {
                            open.add(b.resourceName() + " (still prepared)");
                        }
                        // else: the resource no longer holds the branch, so it committed
                        continue;
                    }
                    // Logged under a name nothing is registered under: look for the Xid on every registered resource.
                    String holder = holderOf(xid);
                    if (holder != null) {
                        open.add(b.resourceName() + " (still prepared on " + holder + ")");
                    } else if (!findableByXid.contains(b.resourceName())) {
                        open.add(b.resourceName() + " (not registered for recovery; register its resource manager, or, if a registered"
                                + " resource holds its branches, declare it with recovery().resolveByXid(\"" + b.resourceName() + "\"))");
                    } else if (!scannedAll) {
                        open.add(b.resourceName() + " (not registered for recovery; resolved by Xid, but not every registered resource"
                                + " was scanned this pass)");
                    }
                    // else: declared findable by Xid, and no registered resource holds it after a complete scan of all: it committed
                }
                if (open.isEmpty()) {
                    journal.logCompleted(decision.gtrid());
                    tm.inDoubt.completedByRecovery(decision.gtrid().bytes());
                } else {
                    long ageSeconds = (System.currentTimeMillis() - decision.decidedAtMillis()) / 1000;
                    for (String o : open) {
                        if (!o.contains("(still prepared")) {
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

        private String holderOf(PledgeXid xid) {
            for (Map.Entry<String, Set<Xid>> e : scanned.entrySet()) {
                if (e.getValue().contains(xid)) {
                    return e.getKey();
                }
            }
            return null;
        }
    }

    /** What one scan of one resource listed, and whether it listed everything. */
    private record Scan(List<Xid> xids, boolean complete) {
    }

    private boolean isOwn(Gtrid g) {
        for (byte[] name : ownNames) {
            if (g.isFromNode(name)) {
                return true;
            }
        }
        return false;
    }

    /** The node name a Pledge gtrid carries, or null when it has none. */
    static String nodeOf(Gtrid g) {
        byte[] b = g.bytes();
        int n = b.length - Gtrid.SUFFIX_LENGTH;
        return n > 0 && b[n] == ':' ? new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8) : null;
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
