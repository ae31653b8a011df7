package dev.pledge.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClusterNode} JVM as the takeover tests drive it: started, killed with SIGKILL, paused and
 * resumed with SIGSTOP/SIGCONT, told to drain, and read back from its output file.
 */
final class NodeJvm implements AutoCloseable {
    final String name;
    final Process process;
    final Path output;

    private NodeJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /** Where the takeover tests keep their nodes' output (kept after the run, under {@code target/}). */
    static Path outputDirectory(Class<?> test) throws IOException {
        return Files.createDirectories(Path.of("target", "node-output", test.getSimpleName()));
    }

    /** Starts node {@code name} with the given lease and recovery interval, pausing where {@code pause} says (or never: "none"). */
    static NodeJvm start(Path dir, String name, LogDatabase log, long leaseMillis, long recoveryMillis, String tables, int threads,
                         String pauseTarget, FaultyXADataSource.Point pausePoint, int nth) throws IOException {
        Path out = dir.resolve(name + "-" + System.nanoTime() + ".txt");
        Process p = ChildJvm.start(out, ClusterNode.class, name, log.url(), log.prefix(), Long.toString(leaseMillis),
                Long.toString(recoveryMillis), tables, Integer.toString(threads), pauseTarget, pausePoint.name(), Integer.toString(nth));
        return new NodeJvm(name, p, out);
    }

    /** Waits until the node committed its first transfer. */
    NodeJvm awaitFirstCommit() throws IOException, InterruptedException {
        ChildJvm.awaitLine(process, output, "commit 1", 90);
        return this;
    }

    void awaitLine(String line, int timeoutSeconds) throws IOException, InterruptedException {
        ChildJvm.awaitLine(process, output, line, timeoutSeconds);
    }

    /** Waits until a line of the output starts with {@code prefix}; fails with the output if the node exits or time runs out. */
    String awaitLineStartingWith(String prefix, int timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            for (String l : lines()) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before printing '" + prefix + "...':\n" + text());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not print '" + prefix + "...' within " + timeoutSeconds + " s:\n" + text());
    }

    /** Commits so far (the last {@code commit N} line). */
    int commits() throws IOException {
        int n = 0;
        for (String l : lines()) {
            if (l.startsWith("commit ")) {
                n = Integer.parseInt(l.substring("commit ".length()).trim());
            }
        }
        return n;
    }

    List<String> lines() throws IOException {
        return Files.readAllLines(output, StandardCharsets.ISO_8859_1);
    }

    String text() throws IOException {
        return Files.readString(output, StandardCharsets.ISO_8859_1);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " still runs 30 s after SIGKILL");
        }
    }

    void pause() throws IOException, InterruptedException {
        Servers.run("kill", "-STOP", Long.toString(process.pid()));
    }

    void resume() throws IOException, InterruptedException {
        Servers.run("kill", "-CONT", Long.toString(process.pid()));
    }

    /** Sends {@code drain} and waits for the node to print its result and exit; returns the result line. */
    String drain() throws IOException, InterruptedException {
        process.getOutputStream().write("drain\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        String result = awaitLineStartingWith(ClusterNode.DRAINED, 60);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " printed its drain result but did not exit within 30 s:\n" + text());
        }
        return result;
    }

    /** Adoptions of node {@code adopted} that this node's log reports. */
    long adoptionsOf(String adopted) throws IOException {
        String mark = "adopted node '" + adopted + "' (its lease had run out)";
        return lines().stream().filter(l -> l.contains(mark)).count();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
