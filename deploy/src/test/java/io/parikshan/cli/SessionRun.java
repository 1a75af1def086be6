package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.session.PortTakeover;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code parikshan clone PROD ...} session run as its own process, as a user runs it, with what
 * the session tests ask of it: its output, its status, its control address, its end; and the demo
 * service as production in front of which it runs.
 */
final class SessionRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTROL = Pattern.compile("parikshan: metrics (http://\\S+)/metrics");

    final Process process;
    final Path log;
    /** The control endpoint (status, metrics); null when the session was started without one. */
    final String control;

    private SessionRun(Process process, Path log, String control) {
        this.process = process;
        this.log = log;
        this.control = control;
    }

    /** Starts {@code clone production options...} and waits until the session runs (fails if it ends first). */
    static SessionRun start(String production, Path log, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                SessionWorkflowIT.JAR.toString(), "clone", production));
        cmd.addAll(options);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            SessionWorkflowIT.await("the session runs", Duration.ofSeconds(180), () -> {
                if (!p.isAlive()) {
                    fail("the session ended early (exit " + p.exitValue() + "):\n" + read(log));
                }
                return read(log).contains("Ctrl-C ends the session");
            });
        } catch (AssertionError notRunning) {
            // what it printed, and where it is stuck, before the test's clean-up ends it
            try {
                new ProcessBuilder("jcmd", Long.toString(p.pid()), "Thread.print").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start().waitFor(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("no thread dump of the session: " + e); // its output alone, then
            }
            throw new AssertionError(notRunning.getMessage() + "; it printed:\n" + read(log), notRunning);
        }
        Matcher m = CONTROL.matcher(read(log));
        return new SessionRun(p, log, m.find() ? m.group(1) : null);
    }

    /** What the session printed so far. */
    String out() throws IOException {
        return read(log);
    }

    /** The session's {@code /status}. */
    JsonNode status() throws IOException {
        assertThat(control).as("the session's control address:\n" + out()).isNotNull();
        String body = SessionWorkflowIT.get(control + "/status");
        if (body == null) {
            throw new IOException("no status from " + control);
        }
        return JSON.readTree(body);
    }

    /** How many times the session froze production for a checkpoint (one dump line each). */
    long checkpoints() throws IOException {
        return out().lines().filter(l -> l.contains("dump (frozen)")).count();
    }

    /** SIGTERM, as Ctrl-C or a service manager; waits for the end and its last line. */
    void end() throws Exception {
        process.destroy();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the session ends:\n" + out()).isTrue();
        SessionWorkflowIT.await("output drained", Duration.ofSeconds(5), () -> out().contains("session ended"));
        assertThat(process.exitValue()).isIn(0, 143);
    }

    /** Kills a session a test left running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The demo service's image, built once (deploy/demo/build-image.sh). */
    static String demoImage() throws Exception {
        return CloneBadInputIT.out("bash", CloneBadInputIT.repo().resolve("deploy/demo/build-image.sh").toString()).lines()
                .reduce((a, b) -> b).orElseThrow().strip();
    }

    /** Runs the demo service as production {@code name} on a free loopback port; returns the port once it answers. */
    static int startDemoProduction(String name, String image) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "run", "-d", "--name", name, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + port + ":8080", image);
        int at = port;
        SessionWorkflowIT.await("production answers", Duration.ofSeconds(30),
                () -> SessionWorkflowIT.get("http://127.0.0.1:" + at + "/count") != null);
        return port;
    }

    /** Removes production {@code name}, its clones and any takeover rule a failed test left. */
    static void removeDemoProduction(String name) throws Exception {
        for (String c : Clones.of(name)) {
            CliRun.of("destroy", c);
        }
        PortTakeover.removeStale(name::equals);
        CloneBadInputIT.run("docker", "rm", "-f", name);
    }
}
