package dev.pledge.tm;

import java.util.HexFormat;
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

    void leftToRecovery(byte[] gtrid) {
        for (InDoubtListener l : listeners) {
            try {
                l.leftToRecovery(gtrid.clone());
            } catch (RuntimeException e) {
                log.warn("In-doubt listener {} failed for {} (ignored)", l, HexFormat.of().formatHex(gtrid), e);
            }
        }
    }

    void completedByRecovery(byte[] gtrid) {
        for (InDoubtListener l : listeners) {
            try {
                l.completedByRecovery(gtrid.clone());
            } catch (RuntimeException e) {
                log.warn("In-doubt listener {} failed for {} (ignored)", l, HexFormat.of().formatHex(gtrid), e);
            }
        }
    }
}
