package io.parikshan.examples;

import io.parikshan.agent.host.ProbeHostMain;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo service in a real JVM (Java 17), the real agent jar with this module's suite jar loaded,
 * curl as the client: correct traffic passes every probe, then the bug's trigger (a key that differs
 * from a stored one only in case) passes the client unnoticed and fails {@code kv-read} with a message
 * saying what is wrong. Once at start-up ({@code -javaagent}), once by dynamic attach to a container
 * of the demo image (the way a clone gets it).
 */
class SampleServiceProbeIT {

    static final Path SOURCE = Path.of(System.getProperty("parikshan.demo.source", "../../deploy/demo/SampleService.java"));
    static final Path IMAGE_SCRIPT = Path.of(System.getProperty("parikshan.demo.image.script", "../../deploy/demo/build-image.sh"));
    static final Path AGENT_JAR = Path.of(System.getProperty("parikshan.agent.jar", "../../probe-agent/target/parikshan-probe-agent.jar"));
    static final Path SUITE_JAR = Path.of(System.getProperty("parikshan.suite.jar", "target/sample-probe-suite.jar"));
    static final String JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    static final String IMAGE = "parikshan-demo/sample-service:1";

    static final String KV_READ = "\"probe\":\"kv-read\"";
    static final String BUG_MESSAGE = "GET user42 served 'alice@example.org' but the store has no such key (keys differing only in case: User42)";

    @TempDir
    Path tmp;

    @Test
    void suiteLoadedAtStartUpPassesCorrectTrafficAndCatchesAKeyThatDiffersOnlyInCase() throws Exception {
        requireFile(JAVA_17, "the JDK 17 the demo service targets");
        Curl.require();
        Path app = Files.createDirectory(tmp.resolve("app"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", app.toString(),
                SOURCE.toString());
        assertThat(rc).as("javac %s", SOURCE).isZero();
        Path results = tmp.resolve("results");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process service = new ProcessBuilder(JAVA_17, "-Xmx128m",
                "-javaagent:" + AGENT_JAR.toAbsolutePath() + "=dir=" + results + ",force,load=" + SUITE_JAR.toAbsolutePath(),
                "-cp", app.toString(), "SampleService", Integer.toString(port))
                .redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        try {
            awaitListening(service, output);
            Curl curl = new Curl("http://127.0.0.1:" + port);
            Supplier<List<String>> runs = () -> lines(results.resolve("results.jsonl"));

            int reads = correctTraffic(curl, 1, 10);
            List<String> before = await(runs, l -> count(l, KV_READ) >= reads, "kv-read runs for correct traffic");
            assertThat(count(before, "\"probe\":\"kv-read\"", "\"outcome\":\"pass\"")).isEqualTo(reads);
            assertAllPass(before, "kv-read", "reply", "not-found");
            assertThat(count(before, "\"probe\":\"not-found\"", "\"outcome\":\"pass\"")).isEqualTo(1);

            triggerTheBug(curl);
            List<String> after = await(runs, l -> count(l, KV_READ, "\"outcome\":\"fail\"") >= 1,
                    "a kv-read failure after the trigger");
            assertThat(after).filteredOn(l -> l.contains(KV_READ) && l.contains("\"outcome\":\"fail\""))
                    .singleElement().asString().contains("\"message\":\"" + BUG_MESSAGE + "\"");
            assertThat(count(after, KV_READ, "\"outcome\":\"pass\"")).isEqualTo(reads + 1);

            String failed = "parikshan_probe_invocations_total{outcome=\"fail\",probe=\"kv-read\",suite=\"sample-service\"} 1";
            await(() -> lines(results.resolve("metrics.prom")), l -> l.stream().anyMatch(x -> x.startsWith(failed)),
                    "metrics.prom counting the kv-read failure");
        } finally {
            service.destroy();
            if (!service.waitFor(10, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(output.toString()).contains("sample service listening on " + port);
    }

    @Test
    void suiteAttachedToAContainerOfTheDemoImageCatchesTheBug() throws Exception {
        requireFile(JAVA_17, "the JDK 17 that runs the host-side probe control");
        Curl.require();
        requireDocker();
        Run built = run(List.of("bash", IMAGE_SCRIPT.toString()), 180);
        assertThat(built.status()).as("%s: %s", IMAGE_SCRIPT, built.output()).isZero();
        assertThat(built.output()).endsWith(IMAGE);

        String container = "pk-demo-it-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            docker("run", "-d", "--name", container, "-v", "/usr:/usr:ro", "-p", "127.0.0.1::8080", IMAGE);
            await(() -> List.of(dockerOrEmpty("logs", container)), l -> l.get(0).contains("listening on 8080"),
                    "the service in " + container + " to listen");
            String address = docker("port", container, "8080/tcp").lines().findFirst().orElseThrow();
            Curl curl = new Curl("http://" + address);

            Run loaded = probe("load", container, SUITE_JAR.toAbsolutePath().toString(), "--force");
            assertThat(loaded.status()).as(loaded.output()).isZero();
            assertThat(loaded.output()).contains("loaded sample-service probes=4");

            int reads = correctTraffic(curl, 2, 5);
            triggerTheBug(curl);
            List<String> lines = await(() -> results(container),
                    l -> count(l, KV_READ) >= reads + 2, "kv-read runs in " + container);
            assertThat(lines).filteredOn(l -> l.contains(KV_READ) && l.contains("\"outcome\":\"fail\""))
                    .singleElement().asString().contains("\"message\":\"" + BUG_MESSAGE + "\"");
            assertThat(count(lines, KV_READ, "\"outcome\":\"pass\"")).isEqualTo(reads + 1);
            assertAllPass(lines, "reply", "not-found");
        } finally {
            run(List.of("docker", "rm", "-f", container), 60);
        }
    }

    /** Lower-case keys as the lead's load uses them ({@code k-<thread>-<n>}); returns the number of kv reads. */
    private static int correctTraffic(Curl curl, int thread, int keys) throws Exception {
        int reads = 0;
        for (int n = 1; n <= keys; n++) {
            String key = "k-" + thread + "-" + n;
            assertThat(curl.put("/kv/" + key, "v-" + thread + "-" + n).status()).isEqualTo(204);
            assertThat(curl.get("/kv/" + key)).isEqualTo(new Curl.Reply(200, "v-" + thread + "-" + n));
            reads++;
        }
        assertThat(curl.put("/kv/k-" + thread + "-1", "v-" + thread + "-changed").status()).isEqualTo(204);
        assertThat(curl.get("/kv/k-" + thread + "-1")).isEqualTo(new Curl.Reply(200, "v-" + thread + "-changed"));
        assertThat(curl.get("/kv/k-" + thread + "-missing")).isEqualTo(new Curl.Reply(404, "no such key\n"));
        assertThat(curl.get("/count").status()).isEqualTo(200);
        return reads + 2;
    }

    /** The trigger: a value under User42, read once (filling the cache), then user42, never stored. */
    private static void triggerTheBug(Curl curl) throws Exception {
        assertThat(curl.put("/kv/User42", "alice@example.org").status()).isEqualTo(204);
        assertThat(curl.get("/kv/User42")).isEqualTo(new Curl.Reply(200, "alice@example.org"));
        // What a client sees: a plausible 200, nothing obviously wrong (it should be a 404).
        assertThat(curl.get("/kv/user42")).isEqualTo(new Curl.Reply(200, "alice@example.org"));
    }

    private static void assertAllPass(List<String> lines, String... probes) {
        for (String probe : probes) {
            assertThat(lines).as("runs of %s", probe).filteredOn(l -> l.contains("\"probe\":\"" + probe + "\""))
                    .isNotEmpty().allMatch(l -> l.contains("\"outcome\":\"pass\""));
        }
    }

    private static long count(List<String> lines, String... fragments) {
        return lines.stream().filter(l -> {
            for (String f : fragments) {
                if (!l.contains(f)) {
                    return false;
                }
            }
            return true;
        }).count();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Polls for up to 20 s (results are written by the agent's workers, metrics.prom every 2 s). */
    private static <T> T await(Supplier<T> read, Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        T last = read.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("no " + what + " within 20 s; last seen: " + last);
            }
            Thread.sleep(100);
            last = read.get();
        }
        return last;
    }

    private static void awaitListening(Process service, StringBuffer output) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    output.append(l).append('\n');
                    if (l.startsWith("sample service listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // Process ended.
            }
            listening.completeExceptionally(new IllegalStateException("service ended: " + output));
        }, "sample-service-output");
        drain.setDaemon(true);
        drain.start();
        listening.get(30, TimeUnit.SECONDS);
    }

    record Run(int status, String output) {
    }

    private static Run run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within " + seconds + " s");
        }
        return new Run(p.exitValue(), out.join().strip());
    }

    /** The probe agent's host side (probe-control), called in this JVM as {@code parikshan probe} calls it. */
    private static Run probe(String... args) {
        StringWriter output = new StringWriter();
        PrintWriter both = new PrintWriter(output, true);
        int status = ProbeHostMain.run(AGENT_JAR.toAbsolutePath(), args, both, both);
        return new Run(status, output.toString().strip());
    }

    private static List<String> results(String container) {
        return probe("results", container, "--force").output().lines().toList();
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Run r = run(cmd, 120);
        if (r.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        }
        return r.output();
    }

    private static String dockerOrEmpty(String... args) {
        try {
            return docker(args);
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static void requireFile(String path, String what) {
        if (!Files.isExecutable(Path.of(path))) {
            skipOrFail(path + " is missing (" + what + ")");
        }
    }

    /** A missing Docker engine skips the test, except under CI=true where it fails. */
    private static void requireDocker() throws InterruptedException {
        String problem;
        try {
            Run info = run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), 60);
            problem = info.status() == 0 ? null : "Docker engine unreachable: " + info.output();
        } catch (IOException e) {
            problem = "docker CLI unavailable: " + e.getMessage();
        }
        if (problem != null) {
            skipOrFail(problem + " (set up Docker with deploy/host/setup.sh)");
        }
    }

    private static void skipOrFail(String problem) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(problem + " (CI=true)");
        }
        Assumptions.abort(problem);
    }
}
