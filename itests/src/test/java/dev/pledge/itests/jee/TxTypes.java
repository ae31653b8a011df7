package dev.pledge.itests.jee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.io.FileNotFoundException;
import java.io.IOException;

/** Runs the caller's work inside each kind of {@code @Transactional} method. */
@ApplicationScoped
public class TxTypes {
    /** Work done inside the intercepted method. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    @Transactional(TxType.REQUIRED)
    public <T> T required(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(TxType.REQUIRES_NEW)
    public <T> T requiresNew(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(TxType.MANDATORY)
    public <T> T mandatory(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(TxType.SUPPORTS)
    public <T> T supports(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(TxType.NOT_SUPPORTED)
    public <T> T notSupported(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(TxType.NEVER)
    public <T> T never(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(rollbackOn = IOException.class)
    public <T> T rollbackOnIo(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(dontRollbackOn = IllegalArgumentException.class)
    public <T> T dontRollbackOnIllegalArgument(Work<T> work) throws Exception {
        return work.run();
    }

    @Transactional(rollbackOn = IOException.class, dontRollbackOn = FileNotFoundException.class)
    public <T> T rollbackOnIoButNotFileNotFound(Work<T> work) throws Exception {
        return work.run();
    }
}
