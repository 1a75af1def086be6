package io.parikshan.agent;

import io.parikshan.agent.host.AgentReply;
import io.parikshan.agent.host.JvmTarget;
import io.parikshan.agent.host.ProbeControl;
import io.parikshan.agent.host.ProbeControlException;
import io.parikshan.probed.suites.GreetingSuite;
import io.parikshan.probed.suites.HazardSuite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real JVMs: a greeting HTTP server on Java 17 or Temurin 25, driven by real HTTP requests, with the
 * agent attached dynamically and suites loaded and unloaded through the host-side control.
 */
class ProbeAttachIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path shared;
    static Path serverClasses;
    static Path greetingJar;
    static Path hazardJar;

    @BeforeAll
    static void buildFixtures() throws Exception {
        serverClasses = TargetJvm.copyPackage("io/parikshan/probed/server", Files.createDirectory(shared.resolve("server")));
        greetingJar = TargetJvm.suiteJar(GreetingSuite.class, shared.resolve("greeting-suite.jar"));
        hazardJar = TargetJvm.suiteJar(HazardSuite.class, shared.resolve("hazard-suite.jar"));
    }

    private static String java(int version) {
        return version == 17 ? TargetJvm.JAVA_17 : TargetJvm.JAVA_25;
    }

    static String greet(TargetJvm jvm, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + jvm.port + "/greet?name=" + name))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static List<String> results(Path dir) throws Exception {
        Path log = dir.resolve("results.jsonl");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
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

    @ParameterizedTest(name = "Java {0}")
    @ValueSource(ints = {17, 25})
    void loadRunsPassingAndFailingTestsAndUnloadRestoresTheOriginalClass(int version, @TempDir Path dir)
            throws Exception {
        try (TargetJvm jvm = TargetJvm.start(java(version), serverClasses)) {
            ProbeControl control = new ProbeControl(TargetJvm.AGENT_JAR, dir);
            JvmTarget target = JvmTarget.ofPid(jvm.process.pid());
            assertThat(greet(jvm, "alice")).isEqualTo("hello, alice");
            String greeter = "io.parikshan.probed.server.Greeter";
            if (!Files.exists(Path.of("/.parikshan-clone"))) {
                assertThatThrownBy(() -> control.send(target, "attach"))
                        .isInstanceOf(ProbeControlException.class)
                        .hasMessageContaining("refusing to attach to pid " + jvm.process.pid()
                                + ": it has no /.parikshan-clone");
                assertThat(dir).isEmptyDirectory();
            }
            AgentReply first = control.send(target, "inspect=" + greeter + ",force");
            String original = first.value("class " + greeter + " code");
            assertThat(first.value("java ")).startsWith(version == 17 ? "17" : "25");

            Path staged = control.stage(target, greetingJar);
            AgentReply loaded = control.send(target, "load=" + staged + ",force");
            assertThat(loaded.value("loaded greeting")).contains("methods=1");
            assertThat(control.send(target, "inspect=" + greeter + ",force").value("class " + greeter + " code"))
                    .isNotEqualTo(original);

            for (String name : List.of("alice", "carol", "bob")) {
                assertThat(greet(jvm, name)).isEqualTo("hello, " + name);
            }
            List<String> lines = results(dir);
            assertThat(count(lines, "\"test\":\"greets the caller by name\"", "\"outcome\":\"pass\"")).isEqualTo(3);
            assertThat(count(lines, "\"test\":\"never greets bob\"", "\"outcome\":\"pass\"")).isEqualTo(2);
            assertThat(count(lines, "\"test\":\"never greets bob\"", "\"outcome\":\"fail\"",
                    "bob reached the greeter", "Greeter.greet(\\\"bob\\\") -> \\\"hello, bob\\\"")).isEqualTo(1);

            AgentReply list = control.send(target, "list,report,metrics=127.0.0.1:0,force");
            assertThat(list.value("suite greeting")).contains("pass=5", "fail=1", "methods=1");
            Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(dir.resolve("junit/TEST-greeting.xml").toFile());
            assertThat(xml.getDocumentElement().getAttribute("tests")).isEqualTo("6");
            assertThat(xml.getDocumentElement().getAttribute("failures")).isEqualTo("1");
            assertThat(xml.getElementsByTagName("failure").item(0).getAttributes().getNamedItem("message")
                    .getNodeValue()).contains("bob reached the greeter");
            int metricsPort = Integer.parseInt(list.value("metrics port"));
            String scrape = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape).contains(
                    "parikshan_probe_invocations_total{outcome=\"fail\",probe=\"greet-exit\",suite=\"greeting\"} 1",
                    "parikshan_probe_invocations_total{outcome=\"pass\",probe=\"greet-exit\",suite=\"greeting\"} 5",
                    "parikshan_probe_instrumented_methods{suite=\"greeting\"} 1");

            control.send(target, "unload=greeting,force");
            assertThat(control.send(target, "inspect=" + greeter + ",force").value("class " + greeter + " code"))
                    .isEqualTo(original);
            assertThat(greet(jvm, "bob")).isEqualTo("hello, bob");
            assertThat(results(dir)).hasSize(lines.size());
            assertThat(control.send(target, "list,force").lines()).noneMatch(l -> l.startsWith("suite "));
            assertThatThrownBy(() -> control.send(target, "unload=greeting,force"))
                    .hasMessageContaining("no suite named 'greeting' is loaded");
            assertThat(jvm.process.isAlive()).isTrue();
            if (version >= 21) {
                // Temurin 25 warns on dynamic agent loading; the host side explains it.
                assertThat(jvm.stderr()).contains("A Java agent has been loaded dynamically");
                assertThat(ProbeControl.dynamicLoadingNotice(target, "25")).get().asString()
                        .contains("-XX:+EnableDynamicAgentLoading");
            }
        }
    }

    @ParameterizedTest(name = "Java {0}")
    @ValueSource(ints = {17, 25})
    void throwingHangingAndAllocatingTestsNeitherCrashNorStallTheTarget(int version, @TempDir Path dir)
            throws Exception {
        try (TargetJvm jvm = TargetJvm.start(java(version), serverClasses, "-XX:+EnableDynamicAgentLoading")) {
            ProbeControl control = new ProbeControl(TargetJvm.AGENT_JAR, dir);
            JvmTarget target = JvmTarget.ofPid(jvm.process.pid());
            control.send(target, "load=" + control.stage(target, hazardJar) + ",force");

            for (int i = 0; i < 6; i++) {
                long start = System.nanoTime();
                assertThat(greet(jvm, "n" + i)).isEqualTo("hello, n" + i);
                // Loose bound: the hanging test is cut at 200 ms; the allocating one runs into the heap limit.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
            }
            List<String> lines = results(dir);
            assertThat(count(lines, "\"probe\":\"thrower\"", "\"outcome\":\"error\"", "boom from a probe test"))
                    .isEqualTo(6);
            assertThat(count(lines, "\"probe\":\"hanger\"", "\"outcome\":\"timeout\"")).isEqualTo(6);
            assertThat(count(lines, "\"probe\":\"hog\"", "\"outcome\":\"error\"", "OutOfMemoryError")).isEqualTo(2);
            assertThat(count(lines, "\"probe\":\"bad-condition\"", "\"outcome\":\"error\"", "condition threw"))
                    .isEqualTo(6);
            assertThat(count(lines, "\"probe\":\"bad-condition\"", "\"outcome\":\"pass\"")).isZero();

            control.send(target, "unload=hazards,force");
            for (int i = 0; i < 3; i++) {
                assertThat(greet(jvm, "after" + i)).isEqualTo("hello, after" + i);
            }
            assertThat(results(dir)).hasSize(lines.size());
            assertThat(jvm.process.isAlive()).isTrue();
            assertThat(jvm.stderr()).doesNotContain("A Java agent has been loaded dynamically");
        }
    }

    @ParameterizedTest(name = "Java {0}")
    @ValueSource(ints = {17})
    void javaagentAtStartUpLoadsASuiteBeforeTheProbedClassExists(int version, @TempDir Path dir) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(java(version), serverClasses,
                "-javaagent:" + TargetJvm.AGENT_JAR + "=dir=" + dir + ",force,load=" + greetingJar)) {
            assertThat(Files.readAllLines(dir.resolve("reply.txt"))).first().isEqualTo("ok");
            assertThat(greet(jvm, "bob")).isEqualTo("hello, bob");
            List<String> lines = results(dir);
            assertThat(count(lines, "\"outcome\":\"pass\"")).isEqualTo(1);
            assertThat(count(lines, "\"outcome\":\"fail\"", "never greets bob")).isEqualTo(1);
            // The same JVM also takes dynamic commands afterwards.
            ProbeControl control = new ProbeControl(TargetJvm.AGENT_JAR, dir);
            assertThat(control.send(JvmTarget.ofPid(jvm.process.pid()), "list,force").value("suite greeting"))
                    .contains("fail=1");
        }
    }

    @ParameterizedTest(name = "Java {0}")
    @ValueSource(ints = {17})
    void theAgentItselfRefusesToRunTestsOutsideAClone(int version, @TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/.parikshan-clone")), "this host is a clone");
        try (TargetJvm jvm = TargetJvm.start(java(version), serverClasses,
                "-javaagent:" + TargetJvm.AGENT_JAR + "=dir=" + dir + ",load=" + greetingJar)) {
            assertThat(Files.readString(dir.resolve("reply.txt")))
                    .startsWith("error refusing to run probe tests: /.parikshan-clone is absent");
            assertThat(greet(jvm, "bob")).isEqualTo("hello, bob");
            assertThat(dir.resolve("results.jsonl")).doesNotExist();
        }
    }
}
