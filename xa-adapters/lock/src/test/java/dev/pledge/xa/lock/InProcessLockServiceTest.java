package dev.pledge.xa.lock;

import jakarta.transaction.TransactionManager;

class InProcessLockServiceTest extends LockServiceContract {
    @Override
    LockService newLocks(TransactionManager tm) {
        return LockService.builder(tm).durableDirectory(dir.resolve("locks")).build();
    }

    @Override
    int contentionRounds() {
        return 200;
    }
}
