package dev.pledge.spring.boot.sample.postgres;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account on PostgreSQL. */
@Entity
@Table(name = "boot_account")
public class CreditAccount {
    @Id
    private Integer id;
    private long balance;

    protected CreditAccount() {
    }

    public Integer getId() {
        return id;
    }

    public long getBalance() {
        return balance;
    }

    public void add(long amount) {
        balance += amount;
    }
}
