package dev.pledge.spring.boot.sample.mariadb;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account on MariaDB. */
@Entity
@Table(name = "boot_account")
public class DebitAccount {
    @Id
    private Integer id;
    private long balance;

    protected DebitAccount() {
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
