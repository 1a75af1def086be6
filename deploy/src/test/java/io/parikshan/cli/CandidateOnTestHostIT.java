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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fix on trial with both clones on a test host (a network namespace with its own sshd, runc and
 * Parikshan state, as in {@link SessionOnTestHostIT}): production is frozen once for the pair, the
 * images sent once and restored twice there, the candidate patched there through the probe agent,
 * and the proxy here judges every exchange three ways. The demo's latent bug (its read cache keyed
 * by the lower-cased key) must be the candidate's only change; a candidate that crashes there is
 * replaced by a fresh pair there, patched again; a fix shipped as a new image starts afresh there on
 * the image's layers; production's curl clients see every answer right throughout.
 */
class CandidateOnTestHostIT {

    static final String RUN = "pk-candth-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final ObjectMapper JSON = new ObjectMapper();
    static String image;
    static DemoPatches patches;
    static String fixedImage;

    @TempDir
    Path tmp;
    TestHostNamespace testHost;
    String prod;
    int port;
    SessionRun session;
    String control;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker, CRIU and a test host", List.of());
        TestHostNamespace.requireTools();
        image = SessionRun.demoImage();
        assertThat(SessionWorkflowIT.agentJar()).exists();
        patches = DemoPatches.build(RUN, image);
        fixedImage = patches.fixedImage();
    }

    @AfterAll
    static void removePatches() throws Exception {
        if (patches != null) {
            patches.close();
        }
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
    void the_patched_candidate_and_its_control_run_on_the_test_host_from_one_freeze_and_a_crash_there_patches_a_fresh_pair()
            throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1000);
            startSession("--candidate", patches.jar("fix").toString());
            assertThat(sessionOut()).contains("patched from fix.jar: SampleService");
            assertThat(checkpoints()).as("production frozen once for the pair:\n" + sessionOut()).isEqualTo(1);
            JsonNode pair = candidate();
            assertBothOnTestHost(pair);
            awaitJudged(30);

            // the trigger, on one client connection through the proxy: production answers user42 with User42's value
            assertThat(trigger("User42", "user42", "alice")).isEqualTo("alicealice");
            SessionWorkflowIT.await("the candidate's change is judged", Duration.ofSeconds(30), () -> candidate().path("changed").asLong() >= 1);
            Thread.sleep(3000); // more traffic judged after it: still the only change
            JsonNode c = candidate();
            assertOnlyTheBugsAnswerChanged(c, 1);
            JsonNode change = c.path("changes").get(0);
            assertThat(change.path("request").asText()).startsWith("GET /kv/user42 ");
            assertThat(change.path("productionAnswer").asText()).startsWith("HTTP/1.1 200").endsWith("alice");
            assertThat(change.path("candidateAnswer").asText()).startsWith("HTTP/1.1 404").contains("no such key");

            String metrics = SessionWorkflowIT.get(control + "/metrics");
            assertThat(metrics).contains("parikshan_candidate_changes_total{endpoint=\"GET /kv/{id}\"} 1.0")
                    .contains("parikshan_candidate_changes_total{endpoint=\"PUT /kv/{id}\"} 0.0");
            CliRun text = CliRun.of("status", prod);
            assertThat(text.exitCode()).as(text.err()).isZero();
            assertThat(text.out()).contains("1 changed of").contains("request:    GET /kv/user42")
                    .contains("on test host root@" + TestHostNamespace.ALIAS);
            Path report = tmp.resolve("candidate.html");
            CliRun wrote = CliRun.of("candidate", "report", report.toString());
            assertThat(wrote.exitCode()).as(wrote.err()).isZero();
            assertThat(Files.readString(report)).contains("GET /kv/user42").contains("no such key").contains("alice");

            // the candidate crashes there: a fresh pair from a new checkpoint, there, the candidate patched again.
            // Production's cache now holds user42 (live state the new pair copies), so a new key pair shows the patch.
            String oldCandidate = c.path("candidate").asText();
            String oldControl = c.path("control").asText();
            Clones.kill(oldCandidate);
            SessionWorkflowIT.await("a fresh pair on the test host replaced the crashed candidate's", Duration.ofSeconds(120), () -> {
                JsonNode now = candidate();
                return now.path("pair").asLong() == 2 && !now.path("candidate").asText().equals(oldCandidate);
            });
            JsonNode fresh = candidate();
            assertBothOnTestHost(fresh);
            assertThat(fresh.path("control").asText()).isNotEqualTo(oldControl);
            SessionWorkflowIT.await("the old pair removed", Duration.ofSeconds(30),
                    () -> !Clones.exists(oldCandidate) && !Clones.exists(oldControl));
            assertThat(checkpoints()).as("one more freeze for the fresh pair").isEqualTo(2);
            assertThat(sessionOut().lines().filter(l -> l.contains("patched from fix.jar: SampleService")).count())
                    .as("the fresh candidate patched again").isEqualTo(2);
            CandidateStatus.awaitPairJudged(control, 2, 10);
            assertThat(trigger("Bob7", "bob7", "bob")).isEqualTo("bobbob");
            SessionWorkflowIT.await("the fresh candidate's change", Duration.ofSeconds(30), () -> patchChanges(candidate()).size() >= 2);
            Thread.sleep(2000);
            JsonNode after = candidate();
            // the exchanges the crash cut off count as the candidate's (a patch can crash it); at most one per client
            List<JsonNode> cut = new ArrayList<>();
            after.path("changes").forEach(d -> {
                if (d.path("candidateAnswer").asText().contains("ended the connection without answering")) {
                    cut.add(d);
                }
            });
            assertThat(cut.size()).as(CandidateSessionIT.brief(after)).isLessThanOrEqualTo(3);
            assertThat(after.path("changed").asLong()).as(CandidateSessionIT.brief(after)).isEqualTo(2 + cut.size());
            assertThat(patchChanges(after)).as(CandidateSessionIT.brief(after)).extracting(d -> d.path("request").asText().split(" ")[1])
                    .containsExactly("/kv/user42", "/kv/bob7");
            assertThat(after.path("controlDiffers").asLong()).isZero();
            seen = load.stop();
        }
        stopSession();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).isPositive();
    }

    @Test
    void a_fix_shipped_as_a_new_image_starts_fresh_on_the_test_host_beside_the_control_and_changes_only_the_bugs_answer()
            throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1000);
            startSession("--candidate-image", fixedImage);
            assertThat(checkpoints()).as("production frozen once, for the control alone").isEqualTo(1);
            assertThat(sessionOut()).contains("started fresh from image " + fixedImage);
            JsonNode pair = candidate();
            assertBothOnTestHost(pair);
            // the image's top layer is in the test host's layer cache, sent from this host's engine
            String top = CloneBadInputIT.out("docker", "image", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", fixedImage);
            String layerId = Path.of(top).getParent().getFileName().toString();
            assertThat(onTestHost("ls /var/lib/parikshan/layers")).as("the test host's layer cache").contains(layerId);
            awaitJudged(30);

            assertThat(trigger("User42", "user42", "alice")).isEqualTo("alicealice");
            SessionWorkflowIT.await("the candidate's change is judged", Duration.ofSeconds(30), () -> candidate().path("changed").asLong() >= 1);
            Thread.sleep(3000);
            JsonNode c = candidate();
            assertThat(c.path("start").asText()).isEqualTo("fresh start, no live memory");
            assertThat(c.path("patch").asText()).isEqualTo("image " + fixedImage);
            assertOnlyTheBugsAnswerChanged(c, 1);
            JsonNode change = c.path("changes").get(0);
            assertThat(change.path("request").asText()).startsWith("GET /kv/user42 ");
            assertThat(change.path("candidateAnswer").asText()).startsWith("HTTP/1.1 404").contains("no such key");

            // no live memory: the candidate's request count started at its own start, far below production's
            String at = address(c.path("candidate").asText());
            long production = Long.parseLong(SessionWorkflowIT.get("http://127.0.0.1:" + port + "/count").strip());
            long started = Long.parseLong(CloneBadInputIT.out("curl", "-sS", "http://" + at + "/count").strip());
            assertThat(started).as("the candidate's count against production's " + production).isLessThan(production);
            seen = load.stop();
        }
        stopSession();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).isPositive();
    }

    @Test
    void a_missing_candidate_image_a_patch_that_is_not_a_jar_or_one_the_jvm_refuses_is_refused_in_one_line_with_nothing_left_here_or_there()
            throws Exception {
        assertRefused(List.of("--candidate-image", RUN + "-no-such-image:1"), RUN + "-no-such-image:1", "no such image");
        assertRefused(List.of("--candidate", tmp.resolve("missing.jar").toString()), "missing.jar", "is not a jar file");
        // refused by the candidate's JVM there, once both clones run there: both removed there
        assertRefused(List.of("--candidate", patches.jar("schema").toString()), "SampleService$KeyValueStore", "adds field", "hits");
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod)).isEqualTo("running false");
    }

    private void assertRefused(List<String> candidate, String... mentions) throws Exception {
        List<String> args = new ArrayList<>(List.of("clone", prod, "--on", TestHostNamespace.ALIAS, "--ssh-config",
                testHost.sshConfig().toString()));
        args.addAll(candidate);
        args.addAll(List.of("--agent-jar", SessionWorkflowIT.agentJar().toString(), "--metrics", "127.0.0.1:0", "--status-every", "0s"));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.errLines()).as("stderr").hasSize(1);
        assertThat(r.errLines().get(0)).contains(mentions);
        assertThat(Clones.of(prod)).as("clones left").isEmpty();
        assertThat(CliRun.of("status", prod, "--json").out()).as("session left").contains("no session running");
        assertNothingLeftOnTestHost();
    }

    /** The changes the candidate made by answering, not those a crash cut off. */
    private static List<JsonNode> patchChanges(JsonNode c) {
        List<JsonNode> out = new ArrayList<>();
        c.path("changes").forEach(d -> {
            if (!d.path("candidateAnswer").asText().contains("ended the connection without answering")) {
                out.add(d);
            }
        });
        return out;
    }

    private void assertOnlyTheBugsAnswerChanged(JsonNode c, long changes) throws Exception {
        assertThat(c.path("changed").asLong()).as(CandidateSessionIT.brief(c)).isEqualTo(changes);
        assertThat(c.path("controlDiffers").asLong()).as("the control's own differences: %s\n%s",
                SessionWorkflowIT.get(control + "/status"), sessionOut()).isZero();
        for (JsonNode e : c.path("endpoints")) {
            assertThat(e.path("changed").asLong()).as(e.toString()).isEqualTo(e.path("endpoint").asText().equals("GET /kv/{id}") ? changes : 0);
        }
        assertThat(c.path("endpoints").findValuesAsText("endpoint")).contains("PUT /kv/{id}", "GET /kv/{id}");
    }

    /** The control and the candidate of {@code pair} both run on the test host, and neither here. */
    private void assertBothOnTestHost(JsonNode pair) throws Exception {
        JsonNode status = JSON.readTree(SessionWorkflowIT.get(control + "/status"));
        for (String clone : List.of(pair.path("control").asText(), pair.path("candidate").asText())) {
            assertThat(clone).isNotEmpty();
            assertThat(runsOnTestHost(clone)).as(clone + " runs on the test host").isTrue();
            assertThat(Files.exists(Path.of("/run/parikshan/runc", clone))).as("no runc container of " + clone + " here").isFalse();
            assertThat(onTestHost("runc --root /run/parikshan/runc state " + clone)).contains("\"status\": \"running\"");
            boolean listed = false;
            for (JsonNode c : status.path("clones")) {
                if (c.path("name").asText().equals(clone)) {
                    listed = true;
                    assertThat(c.path("testHost").asText()).isEqualTo("root@" + TestHostNamespace.ALIAS);
                }
            }
            assertThat(listed).as(clone + " in " + status.path("clones")).isTrue();
        }
    }

    private void assertNothingLeftOnTestHost() {
        assertThat(onTestHost("ls -A /var/lib/parikshan/clones 2>/dev/null; runc --root /run/parikshan/runc list -q 2>/dev/null; "
                + "ip -br link | grep -oE '^(pk[0-9a-f]{11}|pv[0-9a-f]{11}[hc])' || true").strip()).as("left on the test host").isEmpty();
    }

    private String onTestHost(String command) {
        HostCommand.Result r = HostCommand.run(List.of("ssh", "-F", testHost.sshConfig().toString(), TestHostNamespace.ALIAS, command),
                Duration.ofSeconds(60));
        assertThat(r.ok()).as("ssh %s: %s", command, r.reason()).isTrue();
        return r.stdout();
    }

    private String address(String clone) throws Exception {
        JsonNode status = JSON.readTree(SessionWorkflowIT.get(control + "/status"));
        for (JsonNode c : status.path("clones")) {
            if (c.path("name").asText().equals(clone)) {
                return c.path("address").asText();
            }
        }
        throw new AssertionError(clone + " not in " + status.path("clones"));
    }

    private boolean runsOnTestHost(String clone) {
        return Clones.running(clone) && Clones.of(prod).contains(clone)
                && new io.parikshan.clone.CloneInventory(Clones.STATE_ROOT).clones().stream()
                .anyMatch(c -> c.name().equals(clone) && c.testHost() != null);
    }

    private String trigger(String stored, String folded, String value) throws Exception {
        return CandidateStatus.trigger(port, stored, folded, value);
    }

    private void awaitJudged(long atLeast) throws Exception {
        CandidateStatus.awaitJudged(control, atLeast);
    }

    private JsonNode candidate() throws Exception {
        return CandidateStatus.of(control);
    }

    private void startSession(String candidateOption, String candidate) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(candidateOption, candidate, "--port", "8080", "--on", TestHostNamespace.ALIAS,
                "--ssh-config", testHost.sshConfig().toString(), "--compare", "http",
                "--agent-jar", SessionWorkflowIT.agentJar().toString(), "--status-every", "1s", "--drain", "5s",
                "--metrics", "127.0.0.1:0", "--resync-after-desyncs", "0", "--resync-backoff", "1s"));
        session = SessionRun.start(prod, tmp.resolve("session.log"), cmd);
        control = session.control;
    }

    private void stopSession() throws Exception {
        session.end(); // SIGTERM, as a user's Ctrl-C
        assertThat(Clones.of(prod)).as("clones left after the session").isEmpty();
        assertNothingLeftOnTestHost();
    }

    private long checkpoints() throws IOException {
        return session.checkpoints();
    }

    private String sessionOut() throws IOException {
        return session == null ? "" : session.out();
    }
}
