package dev.pledge.tm.log.file;

import dev.pledge.tm.log.Journal;
import dev.pledge.tm.log.JournalContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract on the file log. */
class FileJournalContractTest extends JournalContractTest {
    @TempDir
    Path tmp;

    @Override
    protected Journal open() {
        return FileJournal.open(tmp.resolve("log"), true);
    }
}
