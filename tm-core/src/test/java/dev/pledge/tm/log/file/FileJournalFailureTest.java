package dev.pledge.tm.log.file;

import dev.pledge.tm.log.JournalOutcomeUnknownException;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal when its files fail (through {@link FaultyChannels}): a failure after a decision's
 * force never fails that decision, a failed force leaves the decision's outcome unknown and stops
 * the log, a write refused before any byte is a plain failure the coordinator may roll back on.
 */
class FileJournalFailureTest {
    private static final long SMALL_SEGMENT = 4 * 1024;

    @TempDir
    Path tmp;

    private final TestGtrids xids = new TestGtrids("journal-failure");

    private CommitRecord decision() {
        return new CommitRecord(xids.next(), List.of(new BranchRecord(TestGtrids.bqual(1), "db-a"),
                new BranchRecord(TestGtrids.bqual(2), "db-b")), System.currentTimeMillis());
    }

    private Path log() {
        return tmp.resolve("log");
    }

    private static boolean isNextSegment(Path p) {
        return p.getFileName().toString().equals(FileJournal.NEXT_SEGMENT);
    }

    private static Set<Gtrid> gtrids(java.util.Collection<CommitRecord> records) {
        Set<Gtrid> out = new HashSet<>();
        records.forEach(r -> out.add(r.gtrid()));
        return out;
    }

    /**
     * Commits into small segments until a roll-over fails as {@code fault} makes it fail: every
     * logCommit before must return (its force stood, whatever the roll-over did after it), the next
     * must be refused as not written, and a restart must find exactly the decisions that returned.
     */
    private void rollOverFailureKeepsForcedDecisions(Consumer<FaultyChannels> fault) throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        faulty.where = FileJournalFailureTest::isNextSegment;
        Set<Gtrid> acknowledged = new HashSet<>();
        long segmentsRolled;
        try (FileJournal j = FileJournal.open(log(), true, SMALL_SEGMENT, faulty)) {
            faulty.onlyChannelsOpenedFromNowOn(); // the current segment works; the next one cannot be made
            fault.accept(faulty);
            IOException refused = null;
            for (int i = 0; i < 1000 && refused == null; i++) {
                CommitRecord d = decision();
                try {
                    j.logCommit(d);
                    acknowledged.add(d.gtrid());
                } catch (IOException e) {
                    refused = e;
                    assertNull(j.pendingCommit(d.gtrid()), "a refused decision is not pending");
                }
            }
            assertNotNull(refused, "the roll-over never failed");
            assertFalse(refused instanceof JournalOutcomeUnknownException, "the refused decision was never written: " + refused);
            assertTrue(refused.getMessage().contains("failed earlier") && refused.getMessage().contains("injected fault"),
                    refused.getMessage());
            assertTrue(acknowledged.size() * 100L > SMALL_SEGMENT, "decisions filled the first segment: " + acknowledged.size());
            assertEquals(acknowledged, gtrids(j.pendingCommits()), "the state of a log that failed after its force is still the truth");
            segmentsRolled = JournalReplay.number(j.segmentFiles().get(j.segmentFiles().size() - 1));
        }
        assertEquals(1, segmentsRolled, "no roll-over succeeded");
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(acknowledged, gtrids(j.pendingCommits()), "every decision whose logCommit returned is durable");
        }
    }

    @Test
    void aRollOverWhoseNextSegmentCannotBeOpenedFailsTheLogButNotTheDecisionItFollowed() throws Exception {
        rollOverFailureKeepsForcedDecisions(f -> f.failOpen = true);
    }

    @Test
    void aRollOverWhoseCheckpointCannotBeWrittenFailsTheLogButNotTheDecisionItFollowed() throws Exception {
        rollOverFailureKeepsForcedDecisions(f -> f.failWrite = true);
    }

    @Test
    void aRollOverWhoseCheckpointForceFailsFailsTheLogButNotTheDecisionItFollowed() throws Exception {
        rollOverFailureKeepsForcedDecisions(f -> f.failForce = true);
    }

    @Test
    void aFailedForceLeavesTheDecisionsOutcomeUnknownAndStopsTheLogUntilARestartReplaysIt() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        CommitRecord before = decision();
        CommitRecord unknown = decision();
        try (FileJournal j = FileJournal.open(log(), true, FileJournal.DEFAULT_SEGMENT_BYTES, faulty)) {
            j.logCommit(before);
            faulty.failForce = true;
            IOException e = assertThrows(IOException.class, () -> j.logCommit(unknown));
            assertInstanceOf(JournalOutcomeUnknownException.class, e, "the bytes reached the page cache: " + e);
            faulty.failForce = false; // a later force might succeed, and must not be trusted to have carried the failed one
            IOException later = assertThrows(IOException.class, () -> j.logCommit(decision()));
            assertFalse(later instanceof JournalOutcomeUnknownException, "a later decision is refused before it is written: " + later);
            assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
            JournalException state = assertThrows(JournalException.class, j::pendingCommits);
            assertTrue(state.getMessage().contains("Restart the service"), state.getMessage());
            assertThrows(JournalException.class, () -> j.pendingCommit(before.gtrid()), "recovery must not act on a state it cannot trust");
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(Set.of(before.gtrid(), unknown.gtrid()), gtrids(j.pendingCommits()),
                    "the record reached the file, so the restart's replay commits it");
        }
    }

    @Test
    void aWriteRefusedBeforeAnyByteIsAPlainFailureAndTheDecisionIsNotPending() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        CommitRecord before = decision();
        CommitRecord refused = decision();
        try (FileJournal j = FileJournal.open(log(), true, FileJournal.DEFAULT_SEGMENT_BYTES, faulty)) {
            j.logCommit(before);
            faulty.failWrite = true;
            IOException e = assertThrows(IOException.class, () -> j.logCommit(refused));
            assertFalse(e instanceof JournalOutcomeUnknownException, "nothing of it was written: " + e);
            assertEquals(Set.of(before.gtrid()), gtrids(j.pendingCommits()), "the state stays known: recovery may act on it");
            assertThrows(IOException.class, () -> j.logCommit(decision()));
        }
        try (FileJournal j = FileJournal.open(log(), true)) {
            assertEquals(Set.of(before.gtrid()), gtrids(j.pendingCommits()));
        }
    }

    /**
     * Many committers share forces when one fails: each must be told the truth. A decision whose
     * logCommit returned, or that was told "unknown" while its bytes did reach the file, is found
     * after a restart; one refused with a plain IOException (safe to roll back) never is.
     */
    @Test
    void underGroupCommitAFailedForceTellsEveryCommitterTheTruthAboutItsDecision() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        Set<Gtrid> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<Gtrid> unknown = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<Gtrid> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        try (FileJournal j = FileJournal.open(log(), true, FileJournal.DEFAULT_SEGMENT_BYTES, faulty)) {
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 12; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 400; i++) {
                        CommitRecord d = decision();
                        if (started.incrementAndGet() == 600) {
                            faulty.failForce = true; // lands while other committers' records are buffered, written or being forced
                        }
                        try {
                            j.logCommit(d);
                            acknowledged.add(d.gtrid());
                        } catch (JournalOutcomeUnknownException e) {
                            unknown.add(d.gtrid());
                        } catch (IOException e) {
                            refused.add(d.gtrid());
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
        }
        assertTrue(acknowledged.size() >= 500, "decisions went through before the fault: " + acknowledged.size());
        assertTrue(!unknown.isEmpty(), "the decisions in the failed force were told their outcome is unknown");
        assertTrue(!refused.isEmpty(), "later decisions were refused");
        try (FileJournal j = FileJournal.open(log(), true)) {
            Set<Gtrid> onDisk = gtrids(j.pendingCommits());
            assertTrue(onDisk.containsAll(acknowledged), "every acknowledged decision is durable");
            assertTrue(onDisk.containsAll(unknown), "the failed force's records reached the file (only the fsync failed)");
            Set<Gtrid> wrongly = new HashSet<>(refused);
            wrongly.retainAll(onDisk);
            assertTrue(wrongly.isEmpty(), wrongly.size() + " decisions refused as not written are on disk: their coordinators rolled back");
        }
    }
}
