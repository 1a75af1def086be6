package io.parikshan.agent;

import io.parikshan.agent.host.ProbeHostMain;
import io.parikshan.probed.suites.GreetingSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end in Docker: a greeting server JVM runs in a container of the host-/usr image (no JDK
 * tools used inside it); the host side (probe-control, called in this JVM as
 * {@code parikshan probe} does) finds the container's java process, copies the agent and suite in,
 * attaches across the namespaces, fires a suite, and reads results and metrics back.
 */
class DockerProbeIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String container = "pk-probe-it-" + UUID.randomUUID().toString().substring(0, 8);
    @TempDir
    Path tmp;

    @BeforeEach
    void requireDocker() throws Exception {
        Docker.require();
    }

    @AfterEach
    void removeContainer() throws Exception {
        Docker.run("rm", "-f", container);
    }

    record Host(int status, String out, String err) {
    }

    /** The host side, called in this JVM as {@code parikshan probe} calls it. */
    static Host control(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ProbeHostMain.run(TargetJvm.AGENT_JAR, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Host(status, out.toString(), err.toString());
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @ParameterizedTest(name = "Java {0} as uid {1}")
    @CsvSource({"17, 0", "25, 0", "17, 65534"})
    void attachesToTheJvmOfARunningContainerAndFiresASuite(int version, int uid) throws Exception {
        String java = version == 17 ? TargetJvm.JAVA_17 : TargetJvm.JAVA_25;
        TargetJvm.requireJava(java);
        Path server = TargetJvm.copyPackage("io/parikshan/probed/server", Files.createDirectory(tmp.resolve("server")));
        Path suite = TargetJvm.suiteJar(GreetingSuite.class, tmp.resolve("greeting-suite.jar"));
        server.toFile().setReadable(true, false);
        Docker.ok("run", "-d", "--name", container, "--user", uid + ":" + uid, "-v", "/usr:/usr:ro",
                "-v", server + ":/app:ro",
                "-p", "127.0.0.1::8080", "-p", "127.0.0.1::9404", Docker.IMAGE,
                java, "-Xmx96m", "-XX:+EnableDynamicAgentLoading", "-cp", "/app", "io.parikshan.probed.server.GreetingServer",
                "0.0.0.0", "8080");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Docker.run("logs", container).output().contains("listening")) {
            assertThat(System.nanoTime()).as("server in %s did not start: %s", container,
                    Docker.run("logs", container).output()).isLessThan(deadline);
            Thread.sleep(100);
        }
        String app = "http://" + Docker.ok("port", container, "8080/tcp").lines().findFirst().orElseThrow();
        String metrics = "http://" + Docker.ok("port", container, "9404/tcp").lines().findFirst().orElseThrow();
        assertThat(get(app + "/greet?name=ann")).isEqualTo("hello, ann");

        // Not a clone yet: nothing is attached, nothing is copied in.
        Host refused = control("attach", container);
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("refusing to attach to container " + container, "no /.parikshan-clone");
        assertThat(Docker.run("exec", container, "ls", "/tmp/parikshan").status()).isNotZero();

        Docker.ok("exec", "--user", "0", container, "sh", "-c",
                "printf 'clone=" + container + "\\nproduction=pk-probe-it-production\\n' > /.parikshan-clone");
        Host attach = control("attach", container, "--metrics", "9404");
        assertThat(attach.status()).as(attach.err()).isZero();
        assertThat(attach.out()).contains("java " + version + ".", "attached", "metrics port 9404",
                "clone " + container);
        assertThat(attach.err()).doesNotContain("EnableDynamicAgentLoading");
        Host loaded = control("load", container, suite.toString());
        assertThat(loaded.status()).as(loaded.err()).isZero();
        assertThat(loaded.out()).contains("clone " + container, "loaded greeting probes=1 methods=1");

        for (String name : List.of("ann", "bob", "cy")) {
            assertThat(get(app + "/greet?name=" + name)).isEqualTo("hello, " + name);
        }
        Host results = control("results", container);
        assertThat(results.status()).as(results.err()).isZero();
        List<String> lines = results.out().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines).filteredOn(l -> l.contains("\"outcome\":\"fail\"")).singleElement().asString()
                .contains("never greets bob", "bob reached the greeter");
        assertThat(lines).filteredOn(l -> l.contains("\"outcome\":\"pass\"")).hasSize(5);
        // The runs are also in the container's own filesystem, where the agent wrote them.
        assertThat(Docker.ok("exec", container, "cat", "/tmp/parikshan/results.jsonl").lines()).hasSize(6);

        assertThat(get(metrics + "/metrics")).contains(
                "parikshan_probe_invocations_total{outcome=\"fail\",probe=\"greet-exit\",suite=\"greeting\"} 1",
                "parikshan_probe_invocations_total{outcome=\"pass\",probe=\"greet-exit\",suite=\"greeting\"} 5");
        Host junit = control("results", container, "--junit");
        assertThat(junit.out()).contains("<testsuite name=\"greeting\" tests=\"6\" failures=\"1\"");

        Host unloaded = control("unload", container, "greeting");
        assertThat(unloaded.status()).as(unloaded.err()).isZero();
        assertThat(get(app + "/greet?name=bob")).isEqualTo("hello, bob");
        assertThat(control("list", container).out()).doesNotContain("suite greeting");
        assertThat(Docker.ok("exec", container, "cat", "/tmp/parikshan/results.jsonl").lines()).hasSize(6);
    }
}
