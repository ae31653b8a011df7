package dev.pledge.itests.jee;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

/** {@code @Transactional(REQUIRED)} on the class and NEVER on one method; records what its {@code @PostConstruct} saw. */
@Dependent
@Transactional(TxType.REQUIRED)
public class RequiredByDefault {
    @Inject
    TransactionManager tm;
    private int statusInPostConstruct = -1;

    @PostConstruct
    void init() throws SystemException {
        statusInPostConstruct = tm.getStatus();
    }

    public int statusInPostConstruct() {
        return statusInPostConstruct;
    }

    public int status() throws SystemException {
        return tm.getStatus();
    }

    @Transactional(TxType.NEVER)
    public int never() throws SystemException {
        return tm.getStatus();
    }
}
