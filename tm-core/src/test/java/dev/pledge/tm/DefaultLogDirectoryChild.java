package dev.pledge.tm;

import java.time.Duration;

/** Builds and closes a service that names no log directory, in the working directory its parent chose. */
final class DefaultLogDirectoryChild {
    private DefaultLogDirectoryChild() {
    }

    public static void main(String[] args) {
        TransactionService.builder().nodeName(args[0]).recoveryInterval(Duration.ZERO).build().close();
        System.out.println("built and closed");
    }
}
