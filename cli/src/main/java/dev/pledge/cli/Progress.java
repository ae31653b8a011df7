package dev.pledge.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a run of transfers. On a terminal it is one line redrawn in place with a carriage
 * return at most every 100 ms; elsewhere (a pipe, a CI log, a test) it is a plain line at every
 * tenth of the way, so logs stay readable.
 */
final class Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final int total;
    private final long started = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong lastDraw = new AtomicLong(started - REDRAW_NANOS);
    private int lastTenth;

    Progress(PrintWriter out, boolean terminal, int total) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
    }

    /** True when {@code System.console()} says the JVM talks to a terminal. */
    static boolean onTerminal() {
        return System.console() != null;
    }

    /** Counts one finished transfer and redraws if due. */
    void step() {
        int n = done.incrementAndGet();
        if (terminal) {
            long now = System.nanoTime();
            long last = lastDraw.get();
            if (now - last >= REDRAW_NANOS && lastDraw.compareAndSet(last, now)) {
                draw(n);
            }
        } else {
            int tenth = (int) (10L * n / total);
            synchronized (this) {
                if (tenth > lastTenth) {
                    lastTenth = tenth;
                    out.println(line(n));
                    out.flush();
                }
            }
        }
    }

    /** Draws the final state; on a terminal, ends the line. */
    void finish() {
        if (terminal) {
            draw(done.get());
            synchronized (this) {
                out.println();
                out.flush();
            }
        }
    }

    private synchronized void draw(int n) {
        out.print("\r" + line(n));
        out.flush();
    }

    String line(int n) {
        int filled = (int) ((long) WIDTH * n / total);
        double seconds = (System.nanoTime() - started) / 1e9;
        return String.format("  [%s%s] %d/%d %3d%%  %.0f tx/s", "#".repeat(filled), " ".repeat(WIDTH - filled), n, total,
                100L * n / total, seconds > 0 ? n / seconds : 0.0);
    }
}
