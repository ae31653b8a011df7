package dev.pledge.tm;

import javax.transaction.xa.XAResource;

/**
 * One enlistment of an {@link XAResource} in a transaction. A resource that joined another's
 * branch ({@link #joinedTo} not null) shares its Xid: it is ended on its own but takes no part in
 * prepare and commit.
 */
final class Branch {
    // association of the resource with the branch
    static final int ASSOCIATED = 0;
    static final int SUSPENDED = 1;
    static final int ENDED = 2;

    // two-phase outcome
    static final int NONE = 0;
    static final int PREPARED = 1;
    static final int READ_ONLY = 2;
    static final int COMMITTED = 3;
    static final int ROLLED_BACK = 4;
    static final int HEURISTIC = 5;
    static final int LEFT_TO_RECOVERY = 6;

    final XAResource resource;
    final PledgeXid xid;
    final String resourceName;
    final Branch joinedTo;
    final boolean last;
    int association = ASSOCIATED;
    int outcome = NONE;
    /** Why this branch's prepare failed, or its heuristic commit outcome; read by the coordinator after the phase. */
    Throwable error;

    Branch(XAResource resource, PledgeXid xid, String resourceName, Branch joinedTo, boolean last) {
        this.resource = resource;
        this.xid = xid;
        this.resourceName = resourceName;
        this.joinedTo = joinedTo;
        this.last = last;
    }

    /** Takes part in prepare/commit: a branch of its own. */
    boolean ownsBranch() {
        return joinedTo == null;
    }

    static String nameOf(XAResource resource) {
        return resource instanceof PledgeXAResource p ? p.resourceName() : resource.getClass().getName();
    }

    static boolean joinable(XAResource resource) {
        return !(resource instanceof PledgeXAResource p) || p.joinable();
    }

    @Override
    public String toString() {
        return resourceName + " " + xid;
    }
}
