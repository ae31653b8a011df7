package dev.pledge.tm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registered {@link InDoubtListener}s of one transaction manager, told one after the other. */
final class InDoubtNotices implements InDoubtListeners {
    private static final Logger log = LoggerFactory.getLogger(InDoubtNotices.class);
    private final List<InDoubtListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void addInDoubtListener(InDoubtListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeInDoubtListener(InDoubtListener listener) {
        listeners.remove(listener);
    }

    void leftToRecovery(Gtrid gtrid) {
        for (InDoubtListener l : listeners) {
            try {
                l.leftToRecovery(gtrid.bytes());
            } catch (RuntimeException e) {
                log.warn("In-doubt listener {} failed for {} (ignored)", l, gtrid, e);
            }
        }
    }

    void completedByRecovery(Gtrid gtrid) {
        for (InDoubtListener l : listeners) {
            try {
                l.completedByRecovery(gtrid.bytes());
            } catch (RuntimeException e) {
                log.warn("In-doubt listener {} failed for {} (ignored)", l, gtrid, e);
            }
        }
    }
}
