package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.xa.lock.TestIds.Tx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessLockTableTest extends LockTableContract {
    @TempDir
    Path dir;

    @Override
    LockBackend newTable() throws Exception {
        return new InProcessLockBackend(new PreparedStore(dir));
    }

    @Override
    int contentionRounds() {
        return 300;
    }

    @Override
    int queueLength(String key) {
        return ((InProcessLockBackend) table).queueLength(key);
    }

    @Test
    void preparedLocksSurviveARestartOfTheTableUntilReleased() throws Exception {
        Tx a = ids.next();
        long token = table.acquire(a.owner(), "acct-9", LockMode.EXCLUSIVE, SHORT).fencingToken();
        assertEquals(XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
        // a new table on the same directory, as after a crash
        LockBackend again = new InProcessLockBackend(new PreparedStore(dir));
        assertEquals(List.of(a.xid()), again.prepared());
        Tx b = ids.next();
        assertThrows(LockTimeoutException.class, () -> again.acquire(b.owner(), "acct-9", LockMode.SHARED, SHORT));
        assertTrue(again.release(a.xid()));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".prepared")).count(), "the prepared record is deleted");
        }
        long next = again.acquire(b.owner(), "acct-9", LockMode.EXCLUSIVE, SHORT).fencingToken();
        assertTrue(next > token, "fencing tokens keep growing across a restart");
    }

    @Test
    void aCrashAfterTheBranchCommittedButBeforeTheTransactionCompletedLeavesNothing() throws Exception {
        Tx a = ids.next();
        table.acquire(a.owner(), "acct-7", LockMode.EXCLUSIVE, SHORT);
        assertEquals(XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
        assertTrue(table.settle(a.xid()));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".prepared")).count(),
                    "the prepared record is deleted by the branch's commit");
        }
        // a new table on the same directory, as after a crash before afterCompletion released the key
        LockBackend again = new InProcessLockBackend(new PreparedStore(dir));
        assertEquals(List.of(), again.prepared());
        Tx b = ids.next();
        again.acquire(b.owner(), "acct-7", LockMode.EXCLUSIVE, SHORT);
        assertTrue(table.release(a.xid()));
    }

    @Test
    void withoutADirectoryPreparedLocksDieWithTheTable() throws Exception {
        LockBackend memoryOnly = new InProcessLockBackend(null);
        Tx a = ids.next();
        memoryOnly.acquire(a.owner(), "k", LockMode.EXCLUSIVE, SHORT);
        assertEquals(XAResource.XA_OK, memoryOnly.prepare(a.owner(), a.xid()));
        assertEquals(List.of(a.xid()), memoryOnly.prepared());
        assertEquals(List.of(), new InProcessLockBackend(null).prepared());
    }
}
