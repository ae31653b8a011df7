package dev.pledge.spring.boot.sample;

import dev.pledge.spring.boot.sample.mariadb.DebitAccounts;
import dev.pledge.spring.boot.sample.postgres.CreditAccounts;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Moves money from a MariaDB account to a PostgreSQL account and announces it on {@value #QUEUE}. */
@Service
public class TransferService {
    public static final String QUEUE = "boot.transfers";
    private final DebitAccounts debits;
    private final CreditAccounts credits;
    private final JmsTemplate jms;
    private final AuditLog audit;

    TransferService(DebitAccounts debits, CreditAccounts credits, JmsTemplate jms, AuditLog audit) {
        this.debits = debits;
        this.credits = credits;
        this.jms = jms;
        this.audit = audit;
    }

    /** The three writes of a transfer, in the caller's transaction. */
    void move(String id, int from, int to, long amount) {
        debits.findById(from).orElseThrow().add(-amount);
        credits.findById(to).orElseThrow().add(amount);
        debits.flush(); // the updates reach both databases now, inside the transaction
        credits.flush();
        jms.convertAndSend(QUEUE, id);
    }

    @Transactional
    public void transfer(String id, int from, int to, long amount) {
        move(id, from, to, amount);
    }

    /** Fails after the three writes with an unchecked exception: Spring rolls back. */
    @Transactional
    public void transferThenFail(String id, int from, int to, long amount) {
        move(id, from, to, amount);
        throw new IllegalStateException("failing transfer " + id);
    }

    /** Fails with a checked exception declared in rollbackFor: rolls back. */
    @Transactional(rollbackFor = TransferRefused.class)
    public void transferRefusedRollsBack(String id, int from, int to, long amount) throws TransferRefused {
        move(id, from, to, amount);
        throw new TransferRefused(id);
    }

    /** Fails with an unchecked exception declared in noRollbackFor: commits. */
    @Transactional(noRollbackFor = TransferWarning.class)
    public void transferWithWarning(String id, int from, int to, long amount) {
        move(id, from, to, amount);
        throw new TransferWarning(id);
    }

    /** Audits in a transaction of its own (REQUIRES_NEW), then fails: the audit stays, the transfer goes. */
    @Transactional
    public void transferAuditedThenFail(String id, int from, int to, long amount) {
        audit.record(id);
        move(id, from, to, amount);
        throw new IllegalStateException("failing audited transfer " + id);
    }

    /** Joins the caller's transaction; without one, Spring refuses to run it. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void transferInCallersTransaction(String id, int from, int to, long amount) {
        move(id, from, to, amount);
    }

    /** A checked refusal. */
    public static final class TransferRefused extends Exception {
        TransferRefused(String id) {
            super("refused " + id);
        }
    }

    /** An unchecked warning that does not undo the transfer. */
    public static final class TransferWarning extends RuntimeException {
        TransferWarning(String id) {
            super("warning for " + id);
        }
    }
}
