package dev.pledge.itests.bank;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The record of one transfer, written in both databases by the transaction that moves the money. */
@Entity
@Table(name = "e2e_transfer")
public class Transfer {
    @Id
    private String id;
    @Column(name = "from_account", nullable = false)
    private long from;
    @Column(name = "to_account", nullable = false)
    private long to;
    @Column(nullable = false)
    private long amount;

    protected Transfer() {
    }

    Transfer(String id, long from, long to, long amount) {
        this.id = id;
        this.from = from;
        this.to = to;
        this.amount = amount;
    }
}
