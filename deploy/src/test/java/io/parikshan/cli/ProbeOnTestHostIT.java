package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.clone.HostCommand;
import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.remote.TestHostAddress;
import io.parikshan.clone.remote.TestHostNamespace;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis verbs on a clone that runs on a test host (a network namespace with its own sshd,
 * runc and Parikshan state), which has no JDK of its own to attach with: watch catches the wrong
 * value the clone serves for the latent bug's trigger, a heap dump comes back to this host
 * owner-only and a parser reads it, nothing of either stays there, and bad input is one line,
 * while real curl clients keep using production and check every answer. The clone is made with a
 * state directory of its own, which the verbs are given too: its record there names the test host.
 */
class ProbeOnTestHostIT {

    static final String RUN = "pk-it-rdiag-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final String PROD = RUN + "-prod";
    static final String CLONE = RUN + "-clone";
    static final String KV = "SampleService$KeyValueStore";
    /** Under the default one, which the test host has on a tmpfs of its own: /tmp there is this host's. */
    static final Path STATE = Path.of("/var/lib/parikshan/" + RUN);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path tmp;
    static TestHostNamespace testHost;
    static Ssh ssh;
    static String cloneUrl;
    static CurlLoad clients;

    @BeforeAll
    static void productionWithClientsAndACloneOnTheTestHost() throws Exception {
        HostReady.require("Docker, CRIU and a test host", List.of());
        TestHostNamespace.requireTools();
        assertThat(SessionWorkflowIT.agentJar()).exists();
        String image = CloneBadInputIT.out("bash", CloneBadInputIT.repo().resolve("deploy/demo/build-image.sh").toString())
                .lines().reduce((a, b) -> b).orElseThrow().strip();
        testHost = TestHostNamespace.start();
        ssh = new Ssh(TestHostAddress.parse(TestHostNamespace.ALIAS), testHost.sshConfig());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "run", "-d", "--name", PROD, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + port + ":8080", image);
        SessionWorkflowIT.await("production answers", Duration.ofSeconds(30),
                () -> SessionWorkflowIT.get("http://127.0.0.1:" + port + "/count") != null);
        clients = CurlLoad.start(tmp.resolve("clients"), port, 2);
        CliRun made = CliRun.of("clone", PROD, "--name", CLONE, "--on", TestHostNamespace.ALIAS,
                "--ssh-config", testHost.sshConfig().toString(), "--state-dir", STATE.toString(), "--json");
        assertThat(made.exitCode()).as(made.err()).isZero();
        JsonNode report = JSON.readTree(made.out());
        String published = report.get("addresses").get(0).asText().split(" -> ")[0];
        cloneUrl = "http://" + published;
        assertThat(Files.exists(Path.of("/run/parikshan/runc", CLONE))).as("no runc container of it here").isFalse();
        assertThat(SessionWorkflowIT.get(cloneUrl + "/count")).as("the clone answers there").isNotNull();
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
                assertThat(o.ok()).isPositive();
            }
        } finally {
            if (clients != null) {
                clients.close();
            }
            CliRun.of("destroy", CLONE, "--state-dir", STATE.toString());
            CloneBadInputIT.run("docker", "rm", "-f", PROD);
            CloneBadInputIT.run("rm", "-rf", STATE.toString());
            if (testHost != null) {
                testHost.close();
            }
        }
    }

    @Test
    void watchOnTheTestHostPrintsTheTriggersKeyAndTheWrongValueTheCloneServed() throws Exception {
        CliRun r = whileCloneServes(() -> SessionWorkflowIT.get(cloneUrl + "/kv/user42"), "watch", CLONE, KV + "::get",
                "--when", "params[0] == \"user42\"", "-n", "1", "--timeout", "60s");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("exit ")).toList()).singleElement().asString()
                .contains(KV + ".get(java.lang.String)", "params=[\"user42\"]", "returnObj=\"alice@example.org\"");
        assertThat(r.err()).contains("restored " + KV + " code ");
        assertThat(r.errLines().stream().filter(l -> l.contains("restored "))).allSatisfy(l -> assertThat(l).endsWith(" as-before"));
        assertThat(ssh.script("test -f /proc/" + clonePidThere() + "/root/tmp/parikshan/agent/parikshan-probe-agent.jar",
                Duration.ofSeconds(20)).ok()).as("the agent jar was put into the clone's root there").isTrue();
        assertNothingLeftThere();
    }

    @Test
    void heapDumpOfTheCloneThereComesBackHereOwnerOnly() throws Exception {
        Path file = tmp.resolve("remote-clone.hprof");
        CliRun r = diagnose("heapdump", CLONE, file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + file, "owner-only");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Hprof h = Hprof.read(file);
        assertThat(h.header()).startsWith("JAVA PROFILE 1.0");
        assertThat(h.classNames()).contains("SampleService", KV);
        assertNothingLeftThere();
    }

    @Test
    void badInputOnTheTestHostIsOneLine() throws Exception {
        assertOneLine(diagnose("watch", CLONE, "NoSuchStore::get"), "clone " + CLONE + " on test host root@" + TestHostNamespace.ALIAS,
                "no loaded class matches 'NoSuchStore'");
        assertOneLine(diagnose("watch", CLONE, KV + "::get", "--when", "params[0] =="), "--when 'params[0] ==' is not an OGNL expression");
        // without the state directory it was made with, its record (and so its test host) is not found
        CliRun elsewhere = CliRun.of("probe", "threads", CLONE, "--agent-jar", SessionWorkflowIT.agentJar().toString());
        assertOneLine(elsewhere, "no container '" + CLONE + "'", "--state-dir");
        CliRun json = diagnose("watch", CLONE, "NoSuchStore::get", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(JSON.readTree(json.out()).get("error").asText()).contains("no loaded class matches 'NoSuchStore'");
        assertThat(SessionWorkflowIT.get(cloneUrl + "/kv/User42")).as("the clone serves on").isEqualTo("alice@example.org");
        assertNothingLeftThere();
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
        all.addAll(List.of("--agent-jar", SessionWorkflowIT.agentJar().toString(), "--state-dir", STATE.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static void assertOneLine(CliRun r, String... mentions) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.errLines()).as("stderr").singleElement().asString().contains(mentions);
    }

    /** No diagnosis file in the clone there, and no follower of one left running there. */
    private static String clonePidThere() {
        HostCommand.Result pid = ssh.script("runc --root /run/parikshan/runc state " + CLONE
                + " | sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p'", Duration.ofSeconds(20));
        assertThat(pid.stdout().strip()).as(pid.stderr()).matches("\\d+");
        return pid.stdout().strip();
    }

    private static void assertNothingLeftThere() throws Exception {
        HostCommand.Result left = ssh.script("ls -A /proc/" + clonePidThere() + "/root/tmp/parikshan/diag", Duration.ofSeconds(20));
        assertThat(left.exitCode()).as(left.stderr()).isZero();
        assertThat(left.stdout()).as("files left in the clone's diagnosis directory there").isBlank();
        SessionWorkflowIT.await("no tail of a diagnosis left there", Duration.ofSeconds(10), () ->
                ssh.script("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^timeout .*tail -c +1 -F /proc/' || true",
                        Duration.ofSeconds(20)).stdout().strip().equals("0"));
    }

    private static int put(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
