package dev.pledge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MachineCpuTest {
    @Test
    void theIdleShareIsIdleTicksOverAllTicksBetweenTwoReadings() {
        assertEquals(40.0, MachineCpu.idlePercent(new long[] {100, 50}, new long[] {160, 90}), 1e-9);
        assertEquals(-1.0, MachineCpu.idlePercent(null, new long[] {1, 1}));
        assertEquals(-1.0, MachineCpu.idlePercent(new long[] {5, 5}, new long[] {5, 5}), "no ticks between the readings");
    }

    @Test
    void thisMachineReportsProcessCpuAndProcessorTicks() {
        // the bench runs on Linux (see .ci/run); elsewhere the figures are just unknown
        assertTrue(MachineCpu.processNanos() > 0);
        long[] ticks = MachineCpu.busyAndIdleTicks();
        assertTrue(ticks != null && ticks[0] > 0 && ticks[1] >= 0);
    }
}
