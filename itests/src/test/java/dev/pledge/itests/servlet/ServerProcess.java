package dev.pledge.itests.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started as a process of its own, its output (the server's console log) going to a file.
 * {@link #kill()} is {@code kill -9}; {@link #stop()} is SIGTERM, on which both servers shut down
 * cleanly through their shutdown hooks.
 */
final class ServerProcess {
    private final String name;
    private final Process process;
    private final Path output;

    private ServerProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    static ServerProcess start(String name, List<String> command, Path workDir, Map<String, String> environment, Path output)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        pb.environment().putAll(environment);
        Process p = pb.start();
        ServerProcess server = new ServerProcess(name, p, output);
        // the test JVM may die first (a failed build, Ctrl-C): no server outlives it
        Runtime.getRuntime().addShutdownHook(new Thread(server::killQuietly, "kill " + name));
        return server;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** kill -9 of the server and of any process it started; waits until it is gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") still runs 30 s after kill -9");
        }
    }

    void killQuietly() {
        try {
            if (process.isAlive()) {
                kill();
            }
        } catch (InterruptedException | RuntimeException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits for the clean exit; kills it and fails if it takes longer than {@code seconds}. */
    void stop(int seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            kill();
            throw new AssertionError(name + " did not stop within " + seconds + " s of SIGTERM; killed it. Its log:\n" + log());
        }
    }

    /** Everything the server printed so far. */
    String log() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    Path output() {
        return output;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + output + ")";
    }
}
