package dev.pledge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of this JVM and of the whole machine, for the CPU-per-transaction figures. */
final class MachineCpu {
    private MachineCpu() {
    }

    /** CPU time of every thread of this process so far, or -1. */
    static long processNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** Busy and idle (idle + iowait) clock ticks of all processors from /proc/stat, or null where there is none. */
    static long[] busyAndIdleTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return new long[] {busy, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The idle share between two readings, in percent, or -1. */
    static double idlePercent(long[] before, long[] after) {
        if (before == null || after == null) {
            return -1;
        }
        long busy = after[0] - before[0];
        long idle = after[1] - before[1];
        return busy + idle <= 0 ? -1 : 100.0 * idle / (busy + idle);
    }
}
