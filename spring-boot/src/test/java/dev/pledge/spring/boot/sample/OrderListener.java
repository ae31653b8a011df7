package dev.pledge.spring.boot.sample;

import dev.pledge.spring.boot.sample.mariadb.DebitAccounts;
import dev.pledge.spring.boot.sample.postgres.CreditAccounts;
import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@value #QUEUE} messages {@code id,amount,failUntilAttempt}: debits MariaDB account 0
 * and credits PostgreSQL account 0 by {@code amount}, then fails while the delivery attempt is
 * below {@code failUntilAttempt}. Boot's listener container receives in a JTA transaction, so a
 * failure rolls back both writes and the broker delivers the message again.
 */
@Component
public class OrderListener {
    public static final String QUEUE = "boot.orders";
    private final DebitAccounts debits;
    private final CreditAccounts credits;
    /** "id#attempt" for every attempt seen, successful or not. */
    private final List<String> attempts = new CopyOnWriteArrayList<>();

    OrderListener(DebitAccounts debits, CreditAccounts credits) {
        this.debits = debits;
        this.credits = credits;
    }

    @JmsListener(destination = QUEUE)
    public void onOrder(TextMessage message) throws JMSException {
        String[] f = message.getText().split(",");
        int attempt = message.getIntProperty("JMSXDeliveryCount");
        attempts.add(f[0] + "#" + attempt);
        long amount = Long.parseLong(f[1]);
        debits.findById(0).orElseThrow().add(-amount);
        credits.findById(0).orElseThrow().add(amount);
        debits.flush();
        credits.flush();
        if (attempt < Integer.parseInt(f[2])) {
            throw new IllegalStateException("order " + f[0] + " fails on attempt " + attempt);
        }
    }

    public List<String> attempts() {
        return attempts;
    }
}
