package dev.pledge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private final List<Measurement> runs = List.of(
            new Measurement("pledge", 1, 1, 1000, 900, 1500, 1.0),
            new Measurement("pledge", 1, 2, 3000, 300, 500, 1.0),
            new Measurement("pledge", 1, 3, 2000, 500, 800, 1.0),
            new Measurement("narayana-file", 1, 1, 400, 2500, 4000, -1));

    @Test
    void theMarkdownTableShowsTheMedianRoundPerManagerAndThreadCount() {
        String md = Report.markdown(runs, 1234, 5678);
        assertTrue(md.contains("| pledge | 2,000 tx/s<br>p50 500 µs / p99 800 µs<br>1.00 syncs/tx |"), md);
        assertTrue(md.contains("| narayana-file | 400 tx/s<br>p50 2.5 ms / p99 4.0 ms |"), md);
        assertTrue(md.contains("1,234/s appending to a growing file, 5,678/s writing into a preallocated file"), md);
    }

    @Test
    void theCsvHasOneLinePerRunAndLeavesUnknownSyncsEmpty() {
        String[] lines = Report.csv(runs).split("\n");
        assertEquals(5, lines.length);
        assertEquals("narayana-file,1,1,400.0,2500.0,4000.0,,,", lines[4]);
    }

    @Test
    void theOverheadTableComparesMediansWithTheBaseline() {
        List<Measurement> db = List.of(
                new Measurement("db pledge", 4, 1, 950, 4200, 9000, 1.0, 400, 10),
                new Measurement("db hand-written", 4, 1, 1000, 4000, 8000, 1.0, 300, 20),
                new Measurement("db pledge", 4, 2, 500, 4200, 9000, 1.0, 500, 12),
                new Measurement("db hand-written", 4, 2, 2000, 4000, 8000, 1.0, 350, 22),
                new Measurement("db pledge", 4, 3, 2000, 4200, 9000, 1.0, 450, 14),
                new Measurement("db hand-written", 4, 3, 1000, 4000, 8000, 1.0, 320, 24));
        String md = Report.overhead(db, "db pledge", "db hand-written");
        // medians 950 against 1,000; within the rounds +5 %, +75 % and -100 %, whose median is +5 %; CPU medians 450 and 320 µs;
        // the manager's idle share 12 %
        assertTrue(md.contains("| 4 | 950 | 1,000 | +5.0 % | +5.0 % | +5.0 %, +75.0 %, -100.0 % | +5.0 % | 450 µs against 320 µs | 12 % |"), md);
    }

    @Test
    void theChartHasABarPerManagerAndThreadCount() {
        String svg = Report.svg(runs, "no-op");
        assertEquals(2, svg.split("<rect x=\"\\d+\" y=\"\\d+\" width=\"18\"", -1).length - 1);
        assertTrue(svg.contains("pledge, 1 threads: 2,000 tx/s"), svg);
    }

    @Test
    void theBridgeTableShowsEachContendersMedianRoundAndItsRatioToArtemis() {
        List<BridgeMeasurement> bridge = List.of(
                new BridgeMeasurement("artemis", 1, 20000, 100, 4.0),
                new BridgeMeasurement("pledge", 1, 20000, 100, 2.0),
                new BridgeMeasurement("artemis", 2, 20000, 100, 5.0),
                new BridgeMeasurement("pledge", 2, 20000, 100, 1.0),
                new BridgeMeasurement("artemis", 3, 20000, 100, 2.0),
                new BridgeMeasurement("pledge", 3, 20000, 100, 4.0));
        String md = Report.bridgeTable(bridge, "artemis");
        assertTrue(md.contains("| Artemis JMSBridgeImpl + Narayana | 5,000 | 5,000, 4,000, 10,000 | 1.00× |"), md);
        assertTrue(md.contains("| Pledge, ordered | 10,000 | 10,000, 20,000, 5,000 | 2.00× |"), md);
        assertEquals("pledge,2,20000,100,1.000,20000.0", Report.bridgeCsv(bridge).split("\n")[4]);
    }

    @Test
    void thePairedTableShowsTheWholeRunsLossAndTheMedianAndMiddleHalfOfTheBlocks() {
        // A: 950 tx in 1 s against B's 1,000 tx in 1 s: 5 % lost; blocks lost 10, 0, 5, 20 and -10 %.
        PairedMeasurement m = new PairedMeasurement("pledge", "hand-written", 16, 950, 1.0, 1000, 1.0, List.of(0.9, 1.0, 0.95, 0.8, 1.1));
        assertEquals(5.0, m.lostPercent(), 1e-9);
        assertEquals(5.0, m.blockLossQuantile(0.5), 1e-9);
        assertEquals(0.0, m.blockLossQuantile(0.25), 1e-9);
        assertEquals(10.0, m.blockLossQuantile(0.75), 1e-9);
        String md = Report.pairedTable(List.of(m));
        assertTrue(md.contains("| 16 | pledge | hand-written | 950 | 1,000 | +5.0 % | +5.0 % | +0.0 % to +10.0 % | 5 |"), md);
        assertEquals("pledge,hand-written,16,950,1.000,1000,1.000,0.9000;1.0000;0.9500;0.8000;1.1000",
                Report.pairedCsv(List.of(m)).split("\n")[1]);
    }
}
