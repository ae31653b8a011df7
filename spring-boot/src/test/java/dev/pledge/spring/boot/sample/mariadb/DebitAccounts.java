package dev.pledge.spring.boot.sample.mariadb;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data repository of the accounts on MariaDB. */
public interface DebitAccounts extends JpaRepository<DebitAccount, Integer> {
}
