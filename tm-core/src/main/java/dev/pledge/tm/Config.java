package dev.pledge.tm;

import java.nio.file.Path;
import java.time.Duration;

/** The service's whole configuration, fixed at build time. */
record Config(String nodeName, Path logDirectory, Duration defaultTimeout, Duration recoveryInterval, boolean fsync,
              Duration reaperInterval, boolean parallelPhases) {
}
