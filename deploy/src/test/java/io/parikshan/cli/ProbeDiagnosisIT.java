package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.clone.Doctor;
import io.parikshan.clone.DockerEngine;
import io.parikshan.clone.HostCheck;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis verbs on a real CRIU clone of the demo service (its latent bug included), while real
 * curl clients keep using production and check every answer: watch catches the wrong value the clone
 * serves for the trigger's key, trace shows reply under kv, stack, threads, a heap dump a parser reads
 * and a JFR recording {@code jfr summary} reads; after each verb the agent finds each class's code as
 * before; bad input is one line and exit 1, leaving the clone untouched.
 */
class ProbeDiagnosisIT {

    static final String RUN = "pk-it-diag-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final String PROD = RUN + "-prod";
    static final String CLONE = RUN + "-clone";
    static final String NO_JVM = RUN + "-nojvm";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String KV = "SampleService$KeyValueStore";

    @TempDir
    static Path tmp;
    static int port;
    static String cloneUrl;
    static CurlLoad clients;

    @BeforeAll
    static void productionWithClientsAndAClone() throws Exception {
        try (DockerEngine engine = DockerEngine.connect(null)) {
            List<String> problems = new Doctor(engine, Path.of("/var/lib/parikshan")).checks().stream()
                    .filter(c -> !c.ok()).map(HostCheck::problem).toList();
            if (!problems.isEmpty()) {
                String why = "needs a Docker engine and CRIU (deploy/host/setup.sh): " + problems;
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true and the host is not ready: " + why);
                }
                Assumptions.abort(why);
            }
        }
        assertThat(agentJar()).exists();
        String image = CloneBadInputIT.out("bash", CloneBadInputIT.repo().resolve("deploy/demo/build-image.sh").toString())
                .lines().reduce((a, b) -> b).orElseThrow().strip();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "run", "-d", "--name", PROD, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + port + ":8080", image);
        SessionWorkflowIT.await("production answers", Duration.ofSeconds(30),
                () -> SessionWorkflowIT.get("http://127.0.0.1:" + port + "/count") != null);
        clients = CurlLoad.start(tmp.resolve("clients"), port, 2);
        CliRun made = CliRun.of("clone", PROD, "--name", CLONE, "--json");
        assertThat(made.exitCode()).as(made.err()).isZero();
        cloneUrl = "http://" + JSON.readTree(made.out()).get("cloneIp").asText() + ":8080";
        assertThat(SessionWorkflowIT.get(cloneUrl + "/count")).as("the clone answers").isNotNull();
        // The latent bug's trigger, sent to the clone: user42 was never stored, the cache serves User42's value.
        assertThat(put(cloneUrl + "/kv/User42", "alice@example.org")).isEqualTo(204);
        assertThat(SessionWorkflowIT.get(cloneUrl + "/kv/User42")).isEqualTo("alice@example.org");
    }

    @AfterAll
    static void productionsClientsSawEveryAnswerRight() throws Exception {
        try {
            if (clients != null) {
                CurlLoad.Outcome o = clients.stop();
                assertThat(o.failures()).as("wrong answers production's clients saw").isEmpty();
                assertThat(o.failed()).isZero();
                assertThat(o.ok()).isPositive();
            }
        } finally {
            if (clients != null) {
                clients.close();
            }
            CliRun.of("destroy", CLONE);
            CloneBadInputIT.run("docker", "rm", "-f", PROD);
            CloneBadInputIT.run("docker", "rm", "-f", NO_JVM);
        }
    }

    @Test
    void watchPrintsTheTriggersKeyAndTheWrongValueTheCloneServed() throws Exception {
        CliRun r = whileCloneServes(() -> get(cloneUrl + "/kv/user42"), "watch", CLONE, KV + "::get",
                "--when", "params[0] == \"user42\"", "-n", "1", "--timeout", "60s");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> calls = r.out().lines().filter(l -> l.startsWith("exit ")).toList();
        assertThat(calls).singleElement().asString()
                .contains(KV + ".get(java.lang.String)", "params=[\"user42\"]", "returnObj=\"alice@example.org\"",
                        "target={values=", "readCache=");
        assertRestored(r, KV);

        // The same as JSON lines, and an OGNL view reaching a private field of the receiver.
        CliRun j = whileCloneServes(() -> get(cloneUrl + "/kv/user42"), "watch", CLONE, KV + "::get",
                "--when", "params[0] == \"user42\"", "--show", "target.values.get(params[0])", "-n", "1", "--json");
        assertThat(j.exitCode()).as(j.err()).isZero();
        List<JsonNode> events = jsonLines(j.out());
        JsonNode call = events.stream().filter(e -> e.get("event").asText().equals("call")).findFirst().orElseThrow();
        assertThat(call.get("params").asText()).isEqualTo("[\"user42\"]");
        assertThat(call.get("returnObj").asText()).isEqualTo("\"alice@example.org\"");
        // What the store holds under exactly that key: nothing; the cache answered.
        assertThat(call.get("show").asText()).isEqualTo("null");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("event").asText()).isEqualTo("restored");
            assertThat(e.get("asBefore").asBoolean()).isTrue();
        });
        assertThat(events.get(events.size() - 1).get("event").asText()).isEqualTo("end");
        assertNoDiagnosisLeftInTheClone();

        // A condition that stays false: after the first call it runs compiled, inside the clone.
        CliRun quiet = whileCloneServes(() -> get(cloneUrl + "/kv/user42"), "watch", CLONE, KV + "::get",
                "--when", "params[0] == \"nobody\"", "--timeout", "4s");
        assertThat(quiet.exitCode()).as(quiet.err()).isZero();
        assertThat(quiet.out()).doesNotContain("exit ");
        assertThat(quiet.err()).contains("parikshan probe: --when compiled", "--timeout reached (4000 ms)");
        assertRestored(quiet, KV);
    }

    @Test
    void traceShowsReplyUnderKv() throws Exception {
        CliRun r = whileCloneServes(() -> get(cloneUrl + "/kv/User42"), "trace", CLONE, "SampleService::kv", "-n", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("`---[", "] SampleService.kv(com.sun.net.httpserver.HttpExchange)",
                "+---[", "] SampleService$KeyValueStore.get(String)", "] SampleService.reply(HttpExchange,int,String)");
        assertRestored(r, "SampleService");
    }

    @Test
    void stackShowsWhoReachedTheStore() throws Exception {
        CliRun r = whileCloneServes(() -> get(cloneUrl + "/kv/user42"), "stack", CLONE, KV + "::get",
                "--when", "params[0] == \"user42\"", "-n", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("stack of " + KV + ".get(java.lang.String)", "at SampleService.kv(SampleService.java",
                "at jdk.httpserver/");
        assertRestored(r, KV);
    }

    @Test
    void threadsWithStateAndCpuTime() throws Exception {
        CliRun r = CliRun.of("probe", "threads", CLONE, "--agent-jar", agentJar().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"HTTP-Dispatcher\" RUNNABLE cpu=", "no deadlock");
        CliRun j = CliRun.of("probe", "threads", CLONE, "--top", "3", "--json", "--agent-jar", agentJar().toString());
        assertThat(jsonLines(j.out()).stream().filter(e -> e.get("event").asText().equals("thread"))).hasSize(3)
                .allSatisfy(e -> assertThat(e.get("cpuMs").asDouble()).isNotNegative());
    }

    @Test
    void heapDumpAParserReads() throws Exception {
        Path file = tmp.resolve("clone.hprof");
        CliRun r = CliRun.of("probe", "heapdump", CLONE, file.toString(), "--agent-jar", agentJar().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + file, "owner-only");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Hprof h = Hprof.read(file);
        assertThat(h.header()).startsWith("JAVA PROFILE 1.0");
        assertThat(h.classCount()).isGreaterThan(500);
        assertThat(h.classNames()).contains("SampleService", KV);
        assertNoDiagnosisLeftInTheClone();
        // Never overwritten.
        CliRun again = CliRun.of("probe", "heapdump", CLONE, file.toString(), "--agent-jar", agentJar().toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.errLines()).singleElement().asString().contains(file.toString(), "exists");
    }

    @Test
    void jfrRecordingThatJfrSummaryReads() throws Exception {
        Path file = tmp.resolve("clone.jfr");
        CliRun r = whileCloneServes(() -> get(cloneUrl + "/count"), "jfr", CLONE, file.toString(), "--duration", "3s");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process p = new ProcessBuilder(jfr.toString(), "summary", file.toString()).redirectErrorStream(true).start();
        String summary = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(summary).isZero();
        assertThat(summary).contains("Chunks:", "jdk.ExecutionSample", "jdk.ThreadSleep");
        assertNoDiagnosisLeftInTheClone();
    }

    @Test
    void badInputIsOneLineAndExitOneAndTheCloneUntouched() throws Exception {
        assertOneLine(diagnose("watch", CLONE, "NoSuchStore::get"), "no loaded class matches 'NoSuchStore'");
        assertOneLine(diagnose("watch", CLONE, KV + "::nope"), "no method matches '" + KV + "::nope'", "get", "put");
        assertOneLine(diagnose("watch", CLONE, "java.util.HashMap::get"), "java.util.HashMap", "never instrumented");
        assertOneLine(diagnose("watch", CLONE, KV + "::get", "--when", "params[0] =="), "--when 'params[0] ==' is not an OGNL expression");
        assertOneLine(diagnose("watch", PROD, KV + "::get"), "refusing to attach to container " + PROD, "not a Parikshan clone");
        assertThat(CloneBadInputIT.run("docker", "exec", PROD, "ls", "/tmp/parikshan")).as("nothing copied into production").isNotZero();
        CloneBadInputIT.sh("docker", "run", "-d", "--name", NO_JVM, "-v", "/usr:/usr:ro", "parikshan-test/hostusr:2", "sleep", "600");
        assertOneLine(diagnose("threads", NO_JVM, "--force"), "container '" + NO_JVM + "' runs no java process");

        CliRun json = diagnose("watch", CLONE, "NoSuchStore::get", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        JsonNode failure = JSON.readTree(json.out());
        assertThat(failure.get("ok").asBoolean()).isFalse();
        assertThat(failure.get("error").asText()).contains("no loaded class matches 'NoSuchStore'");

        // An expression that fails when evaluated is said once, however many calls it fails on.
        CliRun once = whileCloneServes(() -> get(cloneUrl + "/kv/User42"), "watch", CLONE, KV + "::get",
                "--when", "target.noSuchField == 1", "--timeout", "4s");
        assertThat(once.exitCode()).as(once.err()).isZero();
        assertThat(once.errLines().stream().filter(l -> l.contains("--when 'target.noSuchField == 1' failed"))).hasSize(1);
        assertThat(once.out()).doesNotContain("exit ");
        assertRestored(once, KV);
        assertNoDiagnosisLeftInTheClone();
        assertThat(SessionWorkflowIT.get(cloneUrl + "/kv/User42")).isEqualTo("alice@example.org");
    }

    // ---- helpers

    interface Traffic {
        void send() throws Exception;
    }

    /** Runs a streaming verb while a client keeps sending {@code traffic} to the clone, until it ends. */
    private static CliRun whileCloneServes(Traffic traffic, String... args) throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> diagnose(args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!run.isDone()) {
            traffic.send();
            Thread.sleep(200);
            assertThat(System.nanoTime()).as("the verb ends").isLessThan(deadline);
        }
        return run.get();
    }

    private static CliRun diagnose(String... args) {
        List<String> all = new ArrayList<>(List.of("probe"));
        all.addAll(List.of(args));
        all.addAll(List.of("--agent-jar", agentJar().toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static void assertOneLine(CliRun r, String... mentions) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.errLines()).as("stderr").singleElement().asString().contains(mentions);
    }

    /** The agent compared the class's code after the advice was removed with its code before: the same. */
    private static void assertRestored(CliRun r, String className) {
        assertThat(r.err()).contains("restored " + className + " code ");
        assertThat(r.errLines().stream().filter(l -> l.contains("restored ")))
                .isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(" as-before"));
    }

    private static void assertNoDiagnosisLeftInTheClone() throws Exception {
        Path diag = Path.of("/proc", cloneJavaPid(), "root", "tmp/parikshan/diag");
        try (Stream<Path> files = Files.list(diag)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).as("files left in the clone's " + diag).isEmpty();
        }
    }

    private static String cloneJavaPid() throws Exception {
        String state = CloneBadInputIT.out("runc", "--root", "/run/parikshan/runc", "state", CLONE);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":\\s*(\\d+)").matcher(state);
        assertThat(m.find()).as(state).isTrue();
        return m.group(1);
    }

    private static List<JsonNode> jsonLines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.lines().filter(s -> !s.isBlank()).toList()) {
            nodes.add(JSON.readTree(l));
        }
        return nodes;
    }

    private static void get(String url) {
        SessionWorkflowIT.get(url);
    }

    private static int put(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static Path agentJar() {
        return SessionWorkflowIT.agentJar();
    }
}
