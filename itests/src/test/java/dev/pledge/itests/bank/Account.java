package dev.pledge.itests.bank;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A bank account; accounts 1..n live in MariaDB, 101..100+n in PostgreSQL. */
@Entity
@Table(name = "e2e_account")
public class Account {
    @Id
    private long id;
    @Column(nullable = false)
    private long balance;

    protected Account() {
    }

    public long id() {
        return id;
    }

    public long balance() {
        return balance;
    }

    void add(long amount) {
        balance += amount;
    }
}
