package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A patch on trial for a service that calls another: a JVM front tier calling a Redis tier on a user
 * network (GroupSessionIT's pair), {@code parikshan clone FRONT --with DB --candidate fix.jar} (and
 * {@code --candidate-image}) as a user runs it, curl clients checking every answer of production.
 * The patch makes the front's increments of {@code trial-*} keys add 100: the trigger's answer is
 * the candidate's only change and the control has none; the candidate's write is in the candidate's
 * own Redis clone and not in the control's (each twin a copy of the whole group); production is
 * frozen once for the pair of groups, and once more for a re-sync's fresh pair. The noise clones of
 * a group are two copies of it likewise, each reaching the one allowed egress address; a patch the
 * JVM refuses leaves nothing of either group.
 */
class CandidateGroupSessionIT {

    static final String RUN = "pk-cg-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SOURCE = "clone-manager/src/test/java/io/parikshan/clone/testapp/RedisFrontService.java";
    static final String INCR = "() -> call(resolvedAtStart, redisPort, \"INCR\", key(ex, \"/incr/\"))";
    /** The front's image: its classes baked in, so a new image of it can bring changed ones. */
    static String frontImage;
    /** The front with the patch compiled in: the fix shipped as a new image. */
    static String fixedImage;
    static Path work;

    @TempDir
    Path tmp;
    String network;
    String front;
    String db;
    int port;
    SessionRun session;
    String control;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker and CRIU", List.of());
        CloneBadInputIT.sh("bash", CloneBadInputIT.repo().resolve("deploy/host/test-image.sh").toString());
        assertThat(SessionWorkflowIT.agentJar()).exists();
        work = Files.createTempDirectory("pk-cg-work");
        String source = Files.readString(CloneBadInputIT.repo().resolve(SOURCE));
        assertThat(source).contains(INCR);
        compile("front", source);
        // the same methods (the lambda captures what it did, in the same order), one answer changed:
        // an increment of a trial key adds 100
        compile("fix", source.replace(INCR, "() -> call(resolvedAtStart, redisPort, key(ex, \"/incr/\").startsWith(\"trial-\")"
                + " ? new String[] {\"INCRBY\", key(ex, \"/incr/\"), \"100\"} : new String[] {\"INCR\", key(ex, \"/incr/\")})"));
        // a lambda capturing in another order: another method, which a running JVM refuses
        compile("reshaped", source.replace(INCR, "() -> key(ex, \"/incr/\").isEmpty() ? \"\""
                + " : call(resolvedAtStart, redisPort, \"INCR\", key(ex, \"/incr/\"))"));
        frontImage = RUN + "-front:1";
        fixedImage = RUN + "-fixed:1";
        for (String[] i : List.of(new String[] {"front", frontImage}, new String[] {"fix", fixedImage})) {
            Files.writeString(work.resolve(i[0] + "/Dockerfile"), "FROM " + CloneBadInputIT.IMAGE + "\nCOPY classes/ /app/\n");
            CloneBadInputIT.sh("docker", "build", "-q", "-t", i[1], work.resolve(i[0]).toString());
        }
    }

    @AfterAll
    static void removeImages() throws Exception {
        for (String i : new String[] {frontImage, fixedImage}) {
            if (i != null) {
                CloneBadInputIT.run("docker", "rmi", "-f", i);
            }
        }
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Compiles {@code source} into {@code <name>/classes} and {@code <name>.jar}. */
    private static void compile(String name, String source) throws Exception {
        Path dir = work.resolve(name);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        Files.writeString(dir.resolve("RedisFrontService.java"), source);
        CloneBadInputIT.sh("javac", "--release", "17", "-d", classes.toString(), dir.resolve("RedisFrontService.java").toString());
        try (OutputStream o = Files.newOutputStream(work.resolve(name + ".jar")); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
    }

    @BeforeEach
    void tiers() throws Exception {
        network = RUN + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        front = network + "-front";
        db = network + "-db";
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "network", "create", network);
        CloneBadInputIT.sh("docker", "run", "-d", "--name", db, "--network", network, "--network-alias", "cache",
                "-v", "/usr:/usr:ro", CloneBadInputIT.IMAGE, "redis-server", "--port", "6379", "--bind", "0.0.0.0",
                "--protected-mode", "no", "--save", "");
        SessionWorkflowIT.await("redis answers", Duration.ofSeconds(30),
                () -> CloneBadInputIT.run("docker", "exec", db, "redis-cli", "SET", "user:1", "alice") == 0);
        CloneBadInputIT.sh("docker", "run", "-d", "--name", front, "--network", network, "-v", "/usr:/usr:ro",
                "-p", "127.0.0.1:" + port + ":8080", frontImage,
                "java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "/app", "io.parikshan.clone.testapp.RedisFrontService",
                "8080", "cache", "6379");
        SessionWorkflowIT.await("the front answers", Duration.ofSeconds(30),
                () -> "alice".equals(SessionWorkflowIT.get(url("/get/user:1"))));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null) {
            session.close();
        }
        SessionRun.removeDemoProduction(front);
        for (String c : Clones.of(db)) {
            CliRun.of("destroy", c);
        }
        CloneBadInputIT.run("docker", "rm", "-f", db, network + "-outside");
        CloneBadInputIT.run("docker", "network", "rm", network);
    }

    @Test
    void the_patch_changes_only_the_triggers_answer_and_writes_only_into_the_candidates_own_dependency() throws Exception {
        Clients clients = Clients.start(this);
        try {
            Thread.sleep(1000);
            startSession("--candidate", work.resolve("fix.jar").toString());
            assertThat(session.out()).contains("patched from fix.jar: ").contains("RedisFrontService");
            assertThat(session.checkpoints()).as("production frozen once for the pair of groups:\n" + session.out()).isEqualTo(1);
            JsonNode c = candidate();
            assertPairOfGroups(c.path("control").asText(), c.path("candidate").asText());
            awaitJudged(30);

            assertTriggerIsTheOnlyChange("trial-1", 1);

            // a re-sync: a fresh pair of groups at one new checkpoint, the candidate patched again
            String oldControl = c.path("control").asText();
            String oldCandidate = c.path("candidate").asText();
            CliRun sync = CliRun.of("sync", front);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            JsonNode fresh = candidate();
            assertThat(fresh.path("pair").asLong()).isEqualTo(2);
            assertThat(session.checkpoints()).as("one more freeze for the fresh pair of groups").isEqualTo(2);
            assertThat(Stream.of(oldControl, oldCandidate, oldControl + "." + db, oldCandidate + "." + db).filter(Clones::exists))
                    .as("the old pair of groups removed").isEmpty();
            assertPairOfGroups(fresh.path("control").asText(), fresh.path("candidate").asText());
            CandidateStatus.awaitPairJudged(session.control, 2, 10);
            assertTriggerIsTheOnlyChange("trial-2", 2);
        } finally {
            clients.stop();
        }
        session.end();
        clients.assertAllRight();
        assertThat(Clones.of(front)).as("clones left").isEmpty();
        assertThat(Clones.of(db)).as("dependency clones left").isEmpty();
    }

    @Test
    void a_fix_shipped_as_a_new_image_starts_fresh_in_its_own_copy_of_the_group() throws Exception {
        Clients clients = Clients.start(this);
        try {
            Thread.sleep(1000);
            startSession("--candidate-image", fixedImage);
            assertThat(session.checkpoints()).as("production frozen once for the pair of groups").isEqualTo(1);
            assertThat(session.out()).contains("started fresh from image " + fixedImage);
            JsonNode c = candidate();
            assertThat(c.path("start").asText()).isEqualTo("fresh start, no live memory");
            assertPairOfGroups(c.path("control").asText(), c.path("candidate").asText());
            awaitJudged(30);
            assertTriggerIsTheOnlyChange("trial-1", 1);
        } finally {
            clients.stop();
        }
        session.end();
        clients.assertAllRight();
        assertThat(Clones.of(front)).as("clones left").isEmpty();
        assertThat(Clones.of(db)).as("dependency clones left").isEmpty();
    }

    @Test
    void the_noise_twins_of_a_group_are_two_copies_of_the_group_from_one_checkpoint_each_with_the_allowed_egress() throws Exception {
        // a server outside the group, on production's network: the one address the clones may call
        String outside = network + "-outside";
        CloneBadInputIT.sh("docker", "run", "-d", "--name", outside, "--network", network, "-v", "/usr:/usr:ro",
                CloneBadInputIT.IMAGE, "redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "");
        String outsideIp = CloneBadInputIT.out("docker", "inspect", "-f",
                "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", outside).strip();
        Clients clients = Clients.start(this);
        try {
            Thread.sleep(1000);
            session = SessionRun.start(front, tmp.resolve("session.log"), List.of("--with", db, "--port", "8080",
                    "--clones", "2", "--noise-clones", "--compare", "http", "--status-every", "1s", "--drain", "5s",
                    "--metrics", "127.0.0.1:0", "--allow-egress", outsideIp + ":6379"));
            control = session.control;
            assertThat(session.checkpoints()).as("production frozen once for both groups:\n" + session.out()).isEqualTo(1);
            List<String> clones = cloneNames();
            assertThat(clones).hasSize(2);
            assertPairOfGroups(clones.get(0), clones.get(1));
            // what one copy's Redis holds, the other's does not
            CloneBadInputIT.sh("runc", "--root", "/run/parikshan/runc", "exec", clones.get(0) + "." + db, "redis-cli", "SET", "only-here", "x");
            assertThat(redisInClone(clones.get(1), "only-here")).isEmpty();
            assertThat(redisInClone(clones.get(0), "only-here")).isEqualTo("x");
            for (String clone : clones) { // the allowed address, from each copy's front and dependency alike
                for (String member : List.of(clone, clone + "." + db)) {
                    assertThat(CloneBadInputIT.out("runc", "--root", "/run/parikshan/runc", "exec", member,
                            "timeout", "5", "redis-cli", "-h", outsideIp, "-p", "6379", "PING").strip()).as(member).isEqualTo("PONG");
                }
                assertThat(CloneBadInputIT.run("runc", "--root", "/run/parikshan/runc", "exec", clone,
                        "timeout", "3", "bash", "-c", "echo > /dev/tcp/" + outsideIp + "/6380")).as("another port, from " + clone).isNotZero();
            }

            CliRun sync = CliRun.of("sync", front);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            assertThat(session.checkpoints()).as("one more freeze for both fresh groups").isEqualTo(2);
            List<String> fresh = cloneNames();
            assertThat(fresh).hasSize(2).doesNotContainAnyElementsOf(clones);
            assertPairOfGroups(fresh.get(0), fresh.get(1));
        } finally {
            clients.stop();
        }
        session.end();
        clients.assertAllRight();
        assertThat(Clones.of(front)).as("clones left").isEmpty();
        assertThat(Clones.of(db)).as("dependency clones left").isEmpty();
    }

    @Test
    void a_patch_the_jvm_refuses_is_refused_in_one_line_with_nothing_of_either_group_left() throws Exception {
        List<String> args = List.of("clone", front, "--with", db, "--port", "8080", "--candidate",
                work.resolve("reshaped.jar").toString(), "--agent-jar", SessionWorkflowIT.agentJar().toString(),
                "--metrics", "127.0.0.1:0", "--status-every", "0s");
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.errLines()).as("stderr").hasSize(1);
        assertThat(r.errLines().get(0)).contains("RedisFrontService", "cannot be redefined in place", "reshaped.jar");
        assertThat(Clones.of(front)).as("clones left").isEmpty();
        assertThat(Clones.of(db)).as("dependency clones left").isEmpty();
        assertThat(CloneBadInputIT.out("iptables", "-w", "-S")).doesNotContain("parikshan:" + front);
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).doesNotContain(front);
        assertThat(CloneBadInputIT.out("docker", "network", "ls", "--format", "{{.Name}}")).doesNotContain(front);
        assertThat(CliRun.of("status", front, "--json").out()).as("session left").contains("no session running");
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", front, db))
                .isEqualTo("running false\nrunning false");
    }

    /** The control and the candidate each front their own Redis clone, in sandboxes of their own. */
    private void assertPairOfGroups(String controlName, String candidateName) throws Exception {
        JsonNode status = session.status();
        for (String name : List.of(controlName, candidateName)) {
            JsonNode clone = null;
            for (JsonNode each : status.path("clones")) {
                if (each.path("name").asText().equals(name)) {
                    clone = each;
                }
            }
            assertThat(clone).as(name + " in " + status).isNotNull();
            assertThat(clone.path("members")).as(clone.toString()).hasSize(1);
            assertThat(clone.path("members").get(0).path("name").asText()).isEqualTo(name + "." + db);
            assertThat(clone.path("members").get(0).path("production").asText()).isEqualTo(db);
            assertThat(Clones.running(name + "." + db)).as(name + "." + db + " runs").isTrue();
        }
        assertThat(record(controlName).path("network").asText()).isNotEqualTo(record(candidateName).path("network").asText());
    }

    /**
     * Sends the trigger (an increment of a fresh trial key) through the clients' address: production
     * and the control answer 1, the candidate 100; it is the candidate's {@code changes}-th change, the
     * only one since the last, the control has none, and the candidate's write is in its own Redis only.
     */
    private void assertTriggerIsTheOnlyChange(String key, long changes) throws Exception {
        assertThat(CloneBadInputIT.out("curl", "-sS", "-f", url("/incr/" + key))).isEqualTo("1");
        SessionWorkflowIT.await("the candidate's change is judged", Duration.ofSeconds(30),
                () -> candidate().path("changed").asLong() >= changes);
        long judged = candidate().path("compared").asLong();
        awaitJudged(judged + 20); // more traffic judged after it: still the only change
        JsonNode c = candidate();
        assertThat(c.path("changed").asLong()).as(c.path("endpoints").toString() + c.path("changes")).isEqualTo(changes);
        assertThat(c.path("controlDiffers").asLong()).as("the control's own differences: %s\n%s",
                session.status(), session.out()).isZero();
        for (JsonNode e : c.path("endpoints")) {
            assertThat(e.path("changed").asLong()).as(e.toString())
                    .isEqualTo(e.path("endpoint").asText().equals("GET /incr/{id}") ? changes : 0);
        }
        assertThat(c.path("endpoints").findValuesAsText("endpoint")).contains("GET /incr/{id}", "GET /get/{id}");
        JsonNode change = c.path("changes").get((int) changes - 1);
        assertThat(change.path("request").asText()).startsWith("GET /incr/" + key + " ");
        assertThat(change.path("productionAnswer").asText()).startsWith("HTTP/1.1 200").endsWith("1").doesNotEndWith("00");
        assertThat(change.path("candidateAnswer").asText()).startsWith("HTTP/1.1 200").endsWith("100");
        String metrics = SessionWorkflowIT.get(control + "/metrics");
        assertThat(metrics).contains("parikshan_candidate_changes_total{endpoint=\"GET /incr/{id}\"} " + changes + ".0");

        // each twin wrote into its own copy of the Redis tier, production's got production's write
        assertThat(redisInClone(c.path("candidate").asText(), key)).as("the candidate's Redis").isEqualTo("100");
        assertThat(redisInClone(c.path("control").asText(), key)).as("the control's Redis").isEqualTo("1");
        assertThat(CloneBadInputIT.out("docker", "exec", db, "redis-cli", "GET", key)).as("production's Redis").isEqualTo("1");
    }

    private String redisInClone(String clone, String key) throws Exception {
        return CloneBadInputIT.out("runc", "--root", "/run/parikshan/runc", "exec", clone + "." + db, "redis-cli", "GET", key).strip();
    }

    private static JsonNode record(String clone) throws IOException {
        return JSON.readTree(Path.of("/var/lib/parikshan/clones", clone, "clone.json").toFile());
    }

    /**
     * Production's clients, real curl processes, each answer checked: increments of keys of their own
     * (always answered 1, whatever order the clones run them in) read back, and a read of production's data.
     */
    private static final class Clients {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<String> wrong = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();

        static Clients start(CandidateGroupSessionIT it) {
            Clients c = new Clients();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int n = 1; !c.stop.get(); n++) {
                        String k = "k-" + writer + "-" + n;
                        try {
                            c.check(k + " incremented", "1", it.url("/incr/" + k));
                            c.check(k + " read", "1", it.url("/get/" + k));
                            c.check("user:1 read", "alice", it.url("/get/user:1"));
                            c.calls.incrementAndGet();
                            Thread.sleep(20);
                        } catch (Exception e) {
                            c.wrong.compareAndSet(null, e.toString());
                        }
                    }
                }, "production-client-" + w);
                t.start();
                c.threads.add(t);
            }
            return c;
        }

        void check(String what, String expected, String url) throws Exception {
            String answer = CloneBadInputIT.out("curl", "-sS", "-f", "--max-time", "10", url);
            if (!answer.equals(expected)) {
                wrong.compareAndSet(null, what + ": '" + answer + "', not '" + expected + "'");
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }

        void assertAllRight() {
            assertThat(wrong.get()).as("what production's clients saw wrong").isNull();
            assertThat(calls.get()).isGreaterThan(20);
        }
    }

    private void awaitJudged(long atLeast) throws Exception {
        SessionWorkflowIT.await(atLeast + " exchanges judged three ways", Duration.ofSeconds(60),
                () -> candidate().path("compared").asLong() >= atLeast);
    }

    /** The clones the session feeds (not their dependencies). */
    private List<String> cloneNames() throws Exception {
        List<String> out = new ArrayList<>();
        session.status().path("clones").forEach(c -> out.add(c.path("name").asText()));
        return out;
    }

    private JsonNode candidate() throws Exception {
        return session.status().path("candidate");
    }

    private void startSession(String candidateOption, String candidate) throws Exception {
        session = SessionRun.start(front, tmp.resolve("session.log"), List.of(candidateOption, candidate, "--with", db,
                "--port", "8080", "--compare", "http", "--agent-jar", SessionWorkflowIT.agentJar().toString(),
                "--status-every", "1s", "--drain", "5s", "--metrics", "127.0.0.1:0", "--resync-after-desyncs", "0"));
        control = session.control;
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
