package io.parikshan.proxy.it;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server program from the host (nginx, redis-server) run for a test on loopback, and
 * the real clients that drive it. Programs missing on the host skip the test, except under
 * CI=true where they are a failure (CI installs them).
 */
final class ExternalServer implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ExternalServer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Skips the test (or fails it under CI=true) when a program is not installed. */
    static void require(String... programs) {
        for (String p : programs) {
            if (which(p) == null) {
                String why = "'" + p + "' is not installed (Debian: apt-get install nginx-light redis-server redis-tools wrk curl)";
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError(why + "; CI must have it");
                }
                Assumptions.abort(why);
            }
        }
    }

    static String which(String program) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin")) {
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code command} and waits until every port in {@code ports} accepts connections. */
    static ExternalServer start(String name, Path workDir, List<String> command, int... ports) throws IOException, InterruptedException {
        Path log = workDir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(command);
        cmd.set(0, which(cmd.get(0)));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ExternalServer server = new ExternalServer(name, p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int port : ports) {
            while (!accepts(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException(name + " did not start listening on 127.0.0.1:" + port + "; its log: "
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(20);
            }
        }
        return server;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a client program to completion (bounded by {@code timeoutSeconds}) and returns its output; non-zero exit fails. */
    static String run(Path workDir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(workDir, timeoutSeconds, null, command);
    }

    static String run(Path workDir, int timeoutSeconds, Path stdin, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, which(cmd.get(0)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
