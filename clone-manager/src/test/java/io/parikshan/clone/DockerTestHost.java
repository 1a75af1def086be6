package io.parikshan.clone;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * What integration tests need from the host: a real Docker engine and CRIU. Outside CI they are
 * skipped with the reason when missing; with CI=true a missing engine or CRIU fails the run.
 */
final class DockerTestHost {

    static final String IMAGE = "parikshan-test/hostusr:2";
    static final Path REPO = repoRoot();
    static final Path STATE_ROOT = Path.of("/var/lib/parikshan");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private DockerTestHost() {
    }

    /** The engine, ready for clones, with the test image built. */
    static DockerEngine requireCloneHost() {
        DockerEngine engine = DockerEngine.connect(null);
        List<String> problems = new ArrayList<>();
        for (HostCheck c : new Doctor(engine, STATE_ROOT).checks()) {
            if (!c.ok()) {
                problems.add(c.problem());
            }
        }
        if (!problems.isEmpty()) {
            engine.close();
            String why = "needs a Docker engine and CRIU (run deploy/host/setup.sh): " + String.join(" | ", problems);
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the host is not ready: " + why);
            }
            Assumptions.abort(why);
        }
        HostCommand.check(List.of("bash", REPO.resolve("deploy/host/test-image.sh").toString()), java.util.Map.of(),
                Duration.ofMinutes(2), "building the test image");
        return engine;
    }

    static String uniqueName(String what) {
        return "pk-it-" + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    }

    /** Runs the docker CLI (a real client) and returns its trimmed stdout. */
    static String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return HostCommand.check(cmd, java.util.Map.of(), Duration.ofMinutes(2), String.join(" ", cmd)).stdout().strip();
    }

    static HostCommand.Result dockerRun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return HostCommand.run(cmd, Duration.ofMinutes(2));
    }

    static void removeContainers(List<String> names) {
        for (String n : names) {
            dockerRun("rm", "-f", "-v", n);
        }
    }

    /** The host port a container's port is published on (127.0.0.1). */
    static int hostPort(String container, int containerPort) {
        String out = docker("port", container, containerPort + "/tcp");
        String first = out.lines().findFirst().orElseThrow();
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    /** The loopback port a clone's {@code containerPort} is published on, from its report. */
    static int publishedPort(CloneReport report, int containerPort) {
        for (String a : report.addresses()) { // "127.0.0.1:PORT -> 8080/tcp"
            String[] parts = a.split(" -> ");
            if (parts[1].startsWith(containerPort + "/")) {
                return Integer.parseInt(parts[0].substring(parts[0].lastIndexOf(':') + 1));
            }
        }
        throw new AssertionError("clone " + report.cloneName() + " publishes no port " + containerPort + ": " + report.addresses());
    }

    static String curl(String host, int port, String path) {
        return HostCommand.check(List.of("curl", "-fsS", "--max-time", "5", "http://" + host + ":" + port + path),
                java.util.Map.of(), Duration.ofSeconds(10), "curl " + host + ":" + port + path).stdout();
    }

    /** Runs a command in a clone (through its runc) or in a container of the engine. */
    static HostCommand.Result execResult(String containerOrClone, String... command) {
        CloneRuntime clones = new CloneRuntime();
        if (clones.state(containerOrClone).isPresent()) {
            return clones.exec(containerOrClone, List.of(command), Duration.ofMinutes(1));
        }
        List<String> cmd = new ArrayList<>(List.of("docker", "exec", containerOrClone));
        cmd.addAll(List.of(command));
        return HostCommand.run(cmd, Duration.ofMinutes(1));
    }

    /** As {@link #execResult}, failing unless it succeeds; its trimmed stdout. */
    static String exec(String containerOrClone, String... command) {
        HostCommand.Result r = execResult(containerOrClone, command);
        if (!r.ok()) {
            throw new AssertionError("exec in " + containerOrClone + " " + List.of(command) + " failed: " + r.reason());
        }
        return r.stdout().strip();
    }

    /** Whether a process runs (a zombie its parent has not reaped yet does not). */
    static boolean alive(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
        } catch (IOException e) {
            return false;
        }
    }

    static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from port " + port + path);
        }
        return r.body();
    }

    /** GET with curl, one connection per request that is closed right after (no pooled sockets). */
    static String curl(int port, String path) {
        return HostCommand.check(List.of("curl", "-fsS", "--max-time", "5", "http://127.0.0.1:" + port + path),
                java.util.Map.of(), Duration.ofSeconds(10), "curl 127.0.0.1:" + port + path).stdout();
    }

    /** Polls until the service answers, for containers that were just started. */
    static String awaitGet(int port, String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return get(port, path);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("service on 127.0.0.1:" + port + " did not answer " + path, e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Starts the JVM counter service in a container from the test image. */
    static String startCounterService(String name, String... extraDockerArgs) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "-v", "/usr:/usr:ro",
                "-v", testClasses() + ":/app:ro", "-p", "127.0.0.1::8080"));
        args.addAll(List.of(extraDockerArgs));
        args.addAll(List.of(IMAGE, "java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "/app",
                "io.parikshan.clone.testapp.CounterService", "8080"));
        return docker(args.toArray(String[]::new));
    }

    static Path testClasses() {
        return REPO.resolve("clone-manager/target/test-classes");
    }

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        while (p != null && !Files.exists(p.resolve("deploy/host/setup.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + System.getProperty("basedir"));
        }
        return p;
    }
}
