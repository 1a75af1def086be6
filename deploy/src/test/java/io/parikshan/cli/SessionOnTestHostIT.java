package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.clone.HostCommand;
import io.parikshan.clone.remote.TestHostNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole session with its clone on a test host (a network namespace with its own sshd, runc and
 * Parikshan state): production's host only freezes and sends, the proxy here feeds the clone
 * there and compares its answers; a clone that crashes there is re-synced there, and a test host
 * that goes away is a crashed clone too; probe suites run in the clone there and their results
 * show in the session's status; real curl clients check every production answer.
 */
class SessionOnTestHostIT {

    static final String RUN = "pk-it-ths-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final ObjectMapper JSON = new ObjectMapper();
    /** An allowed egress port on production's host; nothing needs to listen there for the rules to show. */
    static final int EGRESS_PORT = 47913;
    static String image;

    String prod;
    int port;
    SessionRun session;
    TestHostNamespace testHost;

    @TempDir
    Path tmp;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker, CRIU and a test host", List.of());
        TestHostNamespace.requireTools();
        image = SessionRun.demoImage();
    }

    @BeforeEach
    void production() throws Exception {
        testHost = TestHostNamespace.start();
        prod = RUN + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        port = SessionRun.startDemoProduction(prod, image);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null) {
            session.close();
        }
        SessionRun.removeDemoProduction(prod);
        if (testHost != null) {
            testHost.close();
        }
    }

    @Test
    void the_clone_runs_on_the_test_host_is_fed_and_compared_and_a_crash_or_a_lost_host_never_reaches_production() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 2)) {
            String egress = testHost.hostAddress + ":" + EGRESS_PORT; // production's host, reached from the test host
            startSession("--port", "8080", "--on", TestHostNamespace.ALIAS, "--ssh-config", testHost.sshConfig().toString(),
                    "--compare", "http", "--resync-backoff", "1s", "--metrics", "127.0.0.1:0", "--allow-egress", egress);
            String first = status().path("clones").get(0).path("name").asText();
            assertThat(status().path("clones").get(0).path("testHost").asText()).isEqualTo("root@" + TestHostNamespace.ALIAS);
            assertThat(status().path("allowedEgress")).extracting(JsonNode::asText).containsExactly(egress);
            assertThat(egressRuleThere(first)).as("the allowed egress let through the sandbox there").isTrue();
            assertThat(CliRun.of("status", prod).out()).contains("on test host root@" + TestHostNamespace.ALIAS);
            assertThat(runsOnTestHost(first)).as("the clone runs on the test host").isTrue();
            assertThat(Files.exists(Path.of("/run/parikshan/runc", first))).as("no runc container of it here").isFalse();
            SessionWorkflowIT.await("the clone there gets traffic and answers it", Duration.ofSeconds(60),
                    () -> status().path("clones").get(0).path("sentBytes").asLong() > 0 && fidelity(first).path("compared").asLong() > 5);
            // Connections opened while the clone was being made are held and replayed at once when it runs: a
            // PUT and the GET after it can then reach it in either order (on a test host that window is
            // seconds long). From then on, the clone answers as production does.
            JsonNode before = fidelity(first);
            long compared0 = before.path("compared").asLong();
            SessionWorkflowIT.await("fifty more exchanges compared", Duration.ofSeconds(60),
                    () -> fidelity(first).path("compared").asLong() >= compared0 + 50);
            JsonNode after = fidelity(first);
            assertThat(after.path("divergent").asLong() - before.path("divergent").asLong())
                    .as("a clone with production's state answers as production: " + after)
                    .isLessThanOrEqualTo((after.path("compared").asLong() - compared0) / 10);

            // the clone crashes there: re-synced there
            Clones.kill(first);
            SessionWorkflowIT.await("a fresh clone on the test host replaced the crashed one", Duration.ofSeconds(120), () -> {
                JsonNode s = status();
                return s.path("resyncs").path("crashed").asLong() == 1 && !s.path("clones").get(0).path("name").asText().equals(first)
                        && runsOnTestHost(s.path("clones").get(0).path("name").asText());
            });
            String second = status().path("clones").get(0).path("name").asText();
            assertThat(egressRuleThere(second)).as("the fresh clone's sandbox there lets the allowed egress through").isTrue();
            assertThat(egressRuleThere(first)).as("the crashed clone's rules removed there").isFalse();
            SessionWorkflowIT.await("the fresh clone gets traffic", Duration.ofSeconds(30),
                    () -> status().path("clones").get(0).path("sentBytes").asLong() > 0);

            // the test host goes away: a crashed clone, production serves on
            testHost.close();
            testHost = null;
            // its re-sync there cannot succeed: it fails, is counted, and is retried after the backoff
            SessionWorkflowIT.await("the lost test host's clone taken for crashed, its re-sync failing", Duration.ofSeconds(90),
                    () -> status().path("resyncFailures").path("crashed").asLong() >= 1);
            Thread.sleep(3000); // clients keep going while the session tries to make a clone where none can be
            assertThat(session.process.isAlive()).as("the session goes on").isTrue();
            endSession();
            seen = load.stop();
            assertThat(second).isNotEqualTo(first);
        }
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertThat(seen.ok()).isGreaterThan(10);
        assertThat(Clones.of(prod)).as("clones").isEmpty();
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).as("takeover rules").doesNotContain("parikshan-takeover:" + prod);
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod)).isEqualTo("running false");
    }

    @Test
    void probe_suites_run_in_the_clone_on_the_test_host_and_their_results_show_in_status() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 2)) {
            startSession("--port", "8080", "--on", TestHostNamespace.ALIAS, "--ssh-config", testHost.sshConfig().toString(),
                    "--tests", SessionWorkflowIT.suiteJar().toString(), "--agent-jar", SessionWorkflowIT.agentJar().toString(),
                    "--metrics", "127.0.0.1:0");
            String first = status().path("clones").get(0).path("name").asText();
            assertThat(runsOnTestHost(first)).as("the clone runs on the test host").isTrue();
            assertThat(sessionOut()).contains("probe suite sample-probe-suite.jar loaded into " + first);
            SessionWorkflowIT.await("the clone there gets traffic and its probes pass", Duration.ofSeconds(60), () -> {
                JsonNode s = status();
                return s.path("clones").get(0).path("sentBytes").asLong() > 0 && s.path("probes").path("pass").asLong() > 0;
            });
            // the latent bug, through the client-facing address: production answers right, the clone's probe fails
            String base = "http://127.0.0.1:" + port + "/kv/";
            assertThat(CloneBadInputIT.out("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data", "alice", base + "User42")).isEqualTo("204");
            assertThat(CloneBadInputIT.out("curl", "-sS", base + "User42")).isEqualTo("alice");
            SessionWorkflowIT.await("the kv-read probe caught the bug in the clone there", Duration.ofSeconds(60), () -> {
                CloneBadInputIT.out("curl", "-sS", base + "user42");
                return probe(status(), "kv-read").path("fail").asLong() >= 1;
            });
            // the same failure through the probe command, as a user would look at it
            CliRun results = CliRun.of("probe", "results", first, "--agent-jar", SessionWorkflowIT.agentJar().toString());
            assertThat(results.exitCode()).as(results.err()).isZero();
            assertThat(results.out()).contains("\"probe\":\"kv-read\"", "\"outcome\":\"fail\"", "GET user42 served 'alice'");
            endSession();
            seen = load.stop();
        }
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertThat(seen.ok()).isGreaterThan(10);
        assertThat(Clones.of(prod)).as("clones").isEmpty();
    }

    private static JsonNode probe(JsonNode status, String name) {
        for (JsonNode p : status.path("probes").path("probes")) {
            if (p.path("probe").asText().equals(name)) {
                return p;
            }
        }
        return JSON.createObjectNode();
    }

    private JsonNode fidelity(String clone) throws IOException {
        for (JsonNode f : status().path("fidelity")) {
            if (f.path("cloneName").asText().equals(clone)) {
                return f;
            }
        }
        return JSON.createObjectNode();
    }

    /** Whether the test host's FORWARD chain lets {@code clone} open connections to the allowed port. */
    private boolean egressRuleThere(String clone) {
        HostCommand.Result r = testHost.inNamespace("iptables -w -S FORWARD");
        assertThat(r.ok()).as(r.reason()).isTrue();
        return r.stdout().lines().anyMatch(l -> l.contains("--dport " + EGRESS_PORT + " ")
                && l.matches(".*--comment \"?parikshan:" + Pattern.quote(clone) + "\"? .*") && l.endsWith("-j ACCEPT"));
    }

    private boolean runsOnTestHost(String clone) {
        return Clones.running(clone) && Clones.of(prod).contains(clone)
                && new io.parikshan.clone.CloneInventory(Clones.STATE_ROOT).clones().stream()
                .anyMatch(c -> c.name().equals(clone) && c.testHost() != null);
    }

    private void startSession(String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("--status-every", "1s", "--drain", "5s"));
        options.addAll(List.of(more));
        session = SessionRun.start(prod, tmp.resolve("session.log"), options);
    }

    private String sessionOut() throws IOException {
        return session.out();
    }

    private void endSession() throws Exception {
        session.end();
    }

    private JsonNode status() throws IOException {
        return session.status();
    }
}
