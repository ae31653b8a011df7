package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration.Setting;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a JNDI reference may put the log of a service it starts: under one of the directories in
 * the system property {@value #PROPERTY} (separated by {@link File#pathSeparator}) or, when it is
 * not set, under the server's base directory ({@code catalina.base}, {@code jetty.base}) or the
 * working directory. A reference is text that whoever binds it controls; the log directory is where
 * the service creates, locks and overwrites files, so it is not theirs to choose freely.
 */
final class LogRoots {
    /** System property listing the allowed roots. */
    static final String PROPERTY = "dev.pledge.jndi.logRoots";

    private LogRoots() {
    }

    static void requireAllowed(Setting logDirectory) {
        Path dir = Path.of(logDirectory.value().trim()).toAbsolutePath().normalize();
        List<Path> roots = roots();
        for (Path root : roots) {
            if (dir.startsWith(root)) {
                return;
            }
        }
        throw new IllegalArgumentException("Refused " + logDirectory + ": a JNDI reference may start a Pledge service only with"
                + " a log directory under " + roots + "; allow another root with -D" + PROPERTY + "=<dir>" + File.pathSeparator + "...");
    }

    static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            for (String r : configured.split(File.pathSeparator)) {
                if (!r.isBlank()) {
                    roots.add(Path.of(r.trim()).toAbsolutePath().normalize());
                }
            }
            return roots;
        }
        for (String property : List.of("catalina.base", "jetty.base", "user.dir")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                roots.add(Path.of(value).toAbsolutePath().normalize());
            }
        }
        return roots;
    }
}
