package dev.pledge.tm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A second service with the same node name as its parent, on its own log, recovering the parent's
 * two {@link FileResourceManager}s: {@code LOG RM_A RM_B NODE CLAIMS}. Prints its first pass's
 * report and exits 0, or prints why it was refused and exits {@link #REFUSED}.
 */
final class SharedNodeRecoveryChild {
    static final int REFUSED = 7;

    public static void main(String[] args) {
        FileResourceManager a = new FileResourceManager("rm-a", Path.of(args[1]));
        FileResourceManager b = new FileResourceManager("rm-b", Path.of(args[2]));
        try (TransactionService svc = TransactionService.builder().logDirectory(Path.of(args[0])).nodeName(args[3])
                .nodeLockDirectory(Path.of(args[4])).recoveryInterval(Duration.ZERO)
                .recoveryResource(a.name, a::connect).recoveryResource(b.name, b::connect).build()) {
            System.out.println("started; pass: " + svc.recovery().runPass());
            System.exit(0);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(REFUSED);
        }
    }
}
