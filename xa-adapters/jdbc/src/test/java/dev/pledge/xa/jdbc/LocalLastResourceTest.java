package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;

/** How a failed local commit of the last resource is reported to Pledge. */
class LocalLastResourceTest {

    @Test
    void lostConnectionDuringCommitMeansTheOutcomeIsUnknown() {
        assertTrue(LocalLastResource.lostConnection(new SQLNonTransientConnectionException("socket closed")));
        assertTrue(LocalLastResource.lostConnection(new SQLException("wrapped", new SQLException("link failure", "08S01"))));
    }

    @Test
    void otherCommitFailuresMeanItRolledBack() {
        assertFalse(LocalLastResource.lostConnection(new SQLException("serialization failure", "40001")));
        assertFalse(LocalLastResource.lostConnection(new IllegalStateException("no SQLState")));
    }
}
