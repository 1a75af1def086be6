package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * A fix tried on a live clone, on the real engine and CRIU: the demo service (its read cache keyed
 * by the lower-cased key) is production under real curl clients; {@code parikshan clone PROD
 * --candidate fix.jar} runs as its own process with a control clone and a candidate clone patched
 * from a jar compiled here from a changed copy of the demo's source. The bug's trigger sent through
 * the clients' address must be the candidate's only change; a re-sync's fresh pair is patched
 * again; a patch that changes nothing changes no answer; bad patches are refused in one line with
 * nothing left; production's clients see every answer right throughout.
 */
class CandidateSessionIT {

    static final String RUN = "pk-cand-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final ObjectMapper JSON = new ObjectMapper();
    static String image;
    static DemoPatches patches;
    /** The demo's image with the fix compiled in: the fix shipped as a new image. */
    static String fixedImage;

    @TempDir
    Path tmp;
    String prod;
    int port;
    SessionRun session;
    String control;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker and CRIU", List.of());
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
        prod = RUN + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        port = SessionRun.startDemoProduction(prod, image);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null) {
            session.close();
        }
        SessionRun.removeDemoProduction(prod);
    }

    @Test
    void the_fix_changes_only_the_bugs_answer_the_control_nothing_and_a_resync_patches_the_fresh_pair() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1000);
            startSession(patches.jar("fix"));
            assertThat(sessionOut()).contains("patched from fix.jar: SampleService");
            assertThat(checkpoints()).as("production frozen once for the pair:\n" + sessionOut()).isEqualTo(1);
            awaitJudged(30);

            // the trigger, on one client connection through the proxy: production answers user42 with User42's value
            assertThat(trigger("User42", "user42", "alice")).isEqualTo("alicealice");
            SessionWorkflowIT.await("the candidate's change is judged", Duration.ofSeconds(30), () -> candidate().path("changed").asLong() >= 1);
            Thread.sleep(3000); // more traffic judged after it: still the only change
            JsonNode c = candidate();
            assertThat(c.path("changed").asLong()).as(brief(c)).isEqualTo(1);
            assertThat(c.path("controlDiffers").asLong()).as("the control's own differences: %s\n%s",
                    SessionWorkflowIT.get(control + "/status"), sessionOut()).isZero();
            for (JsonNode e : c.path("endpoints")) {
                assertThat(e.path("changed").asLong()).as(e.toString()).isEqualTo(e.path("endpoint").asText().equals("GET /kv/{id}") ? 1 : 0);
            }
            assertThat(c.path("endpoints").findValuesAsText("endpoint")).contains("PUT /kv/{id}", "GET /kv/{id}");
            JsonNode change = c.path("changes").get(0);
            assertThat(change.path("request").asText()).startsWith("GET /kv/user42 ");
            assertThat(change.path("productionAnswer").asText()).startsWith("HTTP/1.1 200").endsWith("alice");
            assertThat(change.path("candidateAnswer").asText()).startsWith("HTTP/1.1 404").contains("no such key");
            assertThat(change.path("differences").toString()).contains("status: production \\\"200\\\", candidate \\\"404\\\"");

            String metrics = SessionWorkflowIT.get(control + "/metrics");
            assertThat(metrics).contains("parikshan_candidate_changes_total{endpoint=\"GET /kv/{id}\"} 1.0")
                    .contains("parikshan_candidate_changes_total{endpoint=\"PUT /kv/{id}\"} 0.0");
            CliRun text = CliRun.of("status", prod);
            assertThat(text.exitCode()).as(text.err()).isZero();
            assertThat(text.out()).contains("candidate ").contains("1 changed of").containsPattern("GET /kv/\\{id\\}\\s+\\d+\\s+1\\s")
                    .contains("request:    GET /kv/user42");
            Path report = tmp.resolve("candidate.html");
            CliRun wrote = CliRun.of("candidate", "report", report.toString());
            assertThat(wrote.exitCode()).as(wrote.err()).isZero();
            assertThat(Files.readString(report)).contains("<code>GET /kv/{id}</code>").contains("GET /kv/user42")
                    .contains("no such key").contains("alice");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(report))).isEqualTo("rw-------");

            // re-sync: a fresh pair from a new checkpoint, the candidate patched again. Production's cache
            // now holds user42 (live state the new pair copies), so a new key pair shows the patch.
            String oldCandidate = c.path("candidate").asText();
            CliRun sync = CliRun.of("sync", prod);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            JsonNode fresh = candidate();
            assertThat(fresh.path("pair").asLong()).isEqualTo(2);
            assertThat(fresh.path("candidate").asText()).isNotEqualTo(oldCandidate);
            assertThat(Clones.exists(oldCandidate)).as("old candidate removed").isFalse();
            assertThat(checkpoints()).as("one more freeze for the fresh pair").isEqualTo(2);
            CandidateStatus.awaitPairJudged(control, 2, 10);
            assertThat(trigger("Bob7", "bob7", "bob")).isEqualTo("bobbob");
            try {
                SessionWorkflowIT.await("the fresh candidate's change", Duration.ofSeconds(30), () -> candidate().path("changed").asLong() >= 2);
            } catch (AssertionError notJudged) {
                // what was judged, and the fidelity of each clone (drops, desyncs), to tell why
                throw new AssertionError(notJudged.getMessage() + "; candidate: " + brief(candidate()) + "\nstatus: "
                        + SessionWorkflowIT.get(control + "/status") + "\n" + sessionOut(), notJudged);
            }
            Thread.sleep(2000);
            JsonNode after = candidate();
            assertThat(after.path("changed").asLong()).as(brief(after)).isEqualTo(2);
            assertThat(after.path("controlDiffers").asLong()).isZero();
            assertThat(after.path("changes").get(1).path("request").asText()).startsWith("GET /kv/bob7 ");
            seen = load.stop();
        }
        stopSession();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).isPositive();
    }

    @Test
    void a_patch_that_changes_nothing_changes_no_answer() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1000);
            startSession(patches.jar("noop"));
            awaitJudged(20);
            assertThat(trigger("Carol9", "carol9", "carol")).isEqualTo("carolcarol");
            long judged = candidate().path("compared").asLong();
            awaitJudged(judged + 30);
            JsonNode c = candidate();
            assertThat(c.path("changed").asLong()).as(brief(c)).isZero();
            assertThat(c.path("controlDiffers").asLong()).isZero();
            assertThat(c.path("changes")).isEmpty();
            seen = load.stop();
        }
        stopSession();
        assertThat(seen.failures()).isEmpty();
        assertThat(seen.ok()).isPositive();
    }

    @Test
    void a_fix_shipped_as_a_new_image_runs_fresh_beside_the_control_and_changes_only_the_bugs_answer() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1000);
            startSession("--candidate-image", fixedImage);
            assertThat(checkpoints()).as("production frozen once, for the control alone").isEqualTo(1);
            assertThat(sessionOut()).contains("started fresh from image " + fixedImage);
            awaitJudged(30);

            assertThat(trigger("User42", "user42", "alice")).isEqualTo("alicealice");
            SessionWorkflowIT.await("the candidate's change is judged", Duration.ofSeconds(30), () -> candidate().path("changed").asLong() >= 1);
            Thread.sleep(3000);
            JsonNode c = candidate();
            assertThat(c.path("start").asText()).isEqualTo("fresh start, no live memory");
            assertThat(c.path("patch").asText()).isEqualTo("image " + fixedImage);
            assertThat(c.path("changed").asLong()).as(brief(c)).isEqualTo(1);
            assertThat(c.path("controlDiffers").asLong()).as("the control's own differences: %s\n%s",
                    SessionWorkflowIT.get(control + "/status"), sessionOut()).isZero();
            for (JsonNode e : c.path("endpoints")) {
                assertThat(e.path("changed").asLong()).as(e.toString()).isEqualTo(e.path("endpoint").asText().equals("GET /kv/{id}") ? 1 : 0);
            }
            JsonNode change = c.path("changes").get(0);
            assertThat(change.path("request").asText()).startsWith("GET /kv/user42 ");
            assertThat(change.path("productionAnswer").asText()).startsWith("HTTP/1.1 200").endsWith("alice");
            assertThat(change.path("candidateAnswer").asText()).startsWith("HTTP/1.1 404").contains("no such key");

            // no live memory: the candidate's request count started at its own start, far below production's
            String candidateName = c.path("candidate").asText();
            JsonNode status = JSON.readTree(SessionWorkflowIT.get(control + "/status"));
            String at = null;
            for (JsonNode clone : status.path("clones")) {
                if (clone.path("name").asText().equals(candidateName)) {
                    at = clone.path("address").asText();
                }
            }
            assertThat(at).as(status.toString()).isNotNull();
            long production = Long.parseLong(SessionWorkflowIT.get("http://127.0.0.1:" + port + "/count").strip());
            long fresh = Long.parseLong(CloneBadInputIT.out("curl", "-sS", "http://" + at + "/count").strip());
            assertThat(fresh).as("the candidate's count against production's " + production).isLessThan(production);
            CliRun text = CliRun.of("status", prod);
            assertThat(text.out()).contains("candidate image " + fixedImage).contains("fresh start, no live memory");
            seen = load.stop();
        }
        stopSession();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).isPositive();
    }

    @Test
    void a_missing_candidate_image_or_both_kinds_of_candidate_are_refused_in_one_line_with_nothing_left() throws Exception {
        assertRefused(List.of("--candidate-image", RUN + "-no-such-image:1"), prod, RUN + "-no-such-image:1", "no such image");
        assertRefused(List.of("--candidate", patches.jar("fix").toString(), "--candidate-image", fixedImage), prod,
                "--candidate fix.jar and --candidate-image " + fixedImage + " both given");
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod)).isEqualTo("running false");
    }

    @Test
    void bad_patches_and_a_non_jvm_production_are_refused_in_one_line_with_nothing_left() throws Exception {
        assertRefused(patches.jar("schema"), prod, "SampleService$KeyValueStore", "adds field", "hits");
        assertRefused(patches.jar("unloaded"), prod, "NeverLoadedHere", "is loaded in this JVM");
        assertRefused(tmp.resolve("missing.jar"), prod, "missing.jar", "is not a jar file");

        String other = prod + "-nojvm";
        try {
            CloneBadInputIT.sh("docker", "run", "-d", "--name", other, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + freePort() + ":8080",
                    image, "/usr/bin/sleep", "600");
            assertRefused(patches.jar("fix"), other, "runs no JVM", other);
        } finally {
            CloneBadInputIT.run("docker", "rm", "-f", other);
        }
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod)).isEqualTo("running false");
    }

    private void assertRefused(Path jar, String production, String... mentions) throws Exception {
        assertRefused(List.of("--candidate", jar.toString()), production, mentions);
    }

    private void assertRefused(List<String> candidate, String production, String... mentions) throws Exception {
        List<String> args = new ArrayList<>(List.of("clone", production));
        args.addAll(candidate);
        args.addAll(List.of("--agent-jar", SessionWorkflowIT.agentJar().toString(), "--metrics", "127.0.0.1:0", "--status-every", "0s"));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.errLines()).as("stderr").hasSize(1);
        assertThat(r.errLines().get(0)).contains(mentions);
        assertThat(Clones.of(production)).as("clones left").isEmpty();
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).doesNotContain(production);
        assertThat(CliRun.of("status", production, "--json").out()).as("session left").contains("no session running");
    }

    private String trigger(String stored, String folded, String value) throws Exception {
        return CandidateStatus.trigger(port, stored, folded, value);
    }

    /** The counts and the first changes' requests: enough to see what went wrong, short enough to read. */
    static String brief(JsonNode c) {
        StringBuilder b = new StringBuilder(c.path("endpoints").toString());
        for (JsonNode d : c.path("changes")) {
            if (d.path("number").asLong() > 6) {
                break;
            }
            b.append("\n#").append(d.path("number").asLong()).append(' ').append(d.path("at").asText()).append(' ')
                    .append(d.path("request").asText().lines().findFirst().orElse("")).append(" -> ").append(d.path("differences"));
        }
        return b.toString();
    }

    private void awaitJudged(long atLeast) throws Exception {
        CandidateStatus.awaitJudged(control, atLeast);
    }

    private JsonNode candidate() throws Exception {
        return CandidateStatus.of(control);
    }

    private void startSession(Path patch) throws Exception {
        startSession("--candidate", patch.toString());
    }

    private void startSession(String candidateOption, String candidate) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(candidateOption, candidate, "--compare", "http",
                "--agent-jar", SessionWorkflowIT.agentJar().toString(), "--status-every", "1s", "--drain", "5s",
                "--metrics", "127.0.0.1:0", "--resync-after-desyncs", "0"));
        session = SessionRun.start(prod, tmp.resolve("session.log"), cmd);
        control = session.control;
    }

    private void stopSession() throws Exception {
        session.end(); // SIGTERM, as a user's Ctrl-C
        assertThat(Clones.of(prod)).as("clones left after the session").isEmpty();
    }

    private long checkpoints() throws IOException {
        return session.checkpoints();
    }

    private String sessionOut() throws IOException {
        return session == null ? "" : session.out();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
