package dev.pledge.tm;

import dev.pledge.tm.log.JournalException;

import java.nio.file.Path;
import java.time.Duration;

/** Tries to start a service on a log directory another process holds; prints why it was refused. */
final class SecondServiceChild {
    static final int REFUSED = 7;

    public static void main(String[] args) {
        try (TransactionService svc = TransactionService.builder().nodeName("core-lock-child").logDirectory(Path.of(args[0]))
                .recoveryInterval(Duration.ZERO).build()) {
            System.out.println("started on a locked directory: " + svc.nodeName());
            System.exit(0);
        } catch (JournalException e) {
            System.out.println(e.getMessage());
            System.exit(REFUSED);
        }
    }
}
