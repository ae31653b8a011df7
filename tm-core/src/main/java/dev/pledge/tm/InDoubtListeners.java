package dev.pledge.tm;

/** Implemented by Pledge's transaction manager: where {@link InDoubtListener}s register. */
public interface InDoubtListeners {

    void addInDoubtListener(InDoubtListener listener);

    void removeInDoubtListener(InDoubtListener listener);
}
