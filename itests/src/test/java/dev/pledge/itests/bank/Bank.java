package dev.pledge.itests.bank;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/**
 * The bank's service: a transfer locks both accounts, moves the money between the MariaDB and the
 * PostgreSQL account, records the transfer in both databases and sends one notification, all in
 * one {@code @Transactional} method.
 */
@ApplicationScoped
public class Bank {
    @Inject
    BankResources resources;

    /**
     * Moves {@code amount} from account {@code from} to {@code to}; throws {@link InsufficientFunds} (and rolls back) on overdraft.
     * A failed notification rolls back too: {@code JMSException} is checked, and {@code @Transactional} commits after a
     * checked exception unless told otherwise, which would commit the transfer without its message.
     */
    @Transactional(rollbackOn = JMSException.class)
    public void transfer(String id, long from, long to, long amount) throws JMSException {
        resources.locks().lock(BankConfig.lockKey(Math.min(from, to)));
        resources.locks().lock(BankConfig.lockKey(Math.max(from, to)));
        // the lock service may release the account locks in phase two before a database has committed: read
        // the balances with row locks, which wait for the previous transfer's branch, or its update is lost
        Account debit = resources.unitOf(from).getCurrentSession().find(Account.class, from, LockModeType.PESSIMISTIC_WRITE);
        Account credit = resources.unitOf(to).getCurrentSession().find(Account.class, to, LockModeType.PESSIMISTIC_WRITE);
        debit.add(-amount);
        credit.add(amount);
        resources.mariaDbUnit().getCurrentSession().persist(new Transfer(id, from, to, amount));
        resources.postgresUnit().getCurrentSession().persist(new Transfer(id, from, to, amount));
        try (Connection c = resources.jms().createConnection()) {
            Session s = c.createSession();
            s.createProducer(s.createQueue(BankConfig.QUEUE)).send(s.createTextMessage(id));
        }
        if (debit.balance() < 0) {
            throw new InsufficientFunds(from, debit.balance() + amount, amount);
        }
    }

    /** A transfer would overdraw its account; the interceptor rolls the whole transaction back. */
    public static final class InsufficientFunds extends RuntimeException {
        InsufficientFunds(long account, long balance, long amount) {
            super("account " + account + " holds " + balance + ", cannot transfer " + amount);
        }
    }
}
