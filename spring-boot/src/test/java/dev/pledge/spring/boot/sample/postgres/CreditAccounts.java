package dev.pledge.spring.boot.sample.postgres;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data repository of the accounts on PostgreSQL. */
public interface CreditAccounts extends JpaRepository<CreditAccount, Integer> {
}
