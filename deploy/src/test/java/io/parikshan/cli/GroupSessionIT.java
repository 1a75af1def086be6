package io.parikshan.cli;

import static io.parikshan.cli.SessionWorkflowIT.await;
import static io.parikshan.cli.SessionWorkflowIT.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.session.PortTakeover;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session on a front tier (a JVM service) that calls a Redis tier on a user network, as a
 * user runs it: {@code parikshan clone FRONT --port 8080 --compare http}, with curl clients
 * checking every answer of production throughout. Alone, the front's clone diverges on every
 * exchange (it has no Redis); with {@code --with DB} every read of the Redis tier's data through
 * the group matches production's, through a re-sync of the whole group under load, the group's
 * Redis holds production's count, production's Redis gets exactly production's requests, and the
 * session's end leaves nothing of either clone.
 */
class GroupSessionIT {

    static final Path JAR = SessionWorkflowIT.JAR;
    static final ObjectMapper JSON = new ObjectMapper();

    String network;
    String front;
    String db;
    int port;
    Process session;
    Path sessionLog;
    String control;

    @TempDir
    Path tmp;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker and CRIU", List.of());
        CloneBadInputIT.sh("bash", CloneBadInputIT.repo().resolve("deploy/host/test-image.sh").toString());
        assertThat(frontClasses().resolve("io/parikshan/clone/testapp/RedisFrontService.class"))
                .as("the front service, built with clone-manager's tests").exists();
    }

    @BeforeEach
    void tiers() throws Exception {
        network = "pk-it-gs-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        front = network + "-front";
        db = network + "-db";
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "network", "create", network);
        CloneBadInputIT.sh("docker", "run", "-d", "--name", db, "--network", network, "--network-alias", "cache",
                "-v", "/usr:/usr:ro", CloneBadInputIT.IMAGE, "redis-server", "--port", "6379", "--bind", "0.0.0.0",
                "--protected-mode", "no", "--save", "");
        await("redis answers", Duration.ofSeconds(30),
                () -> CloneBadInputIT.run("docker", "exec", db, "redis-cli", "SET", "user:1", "alice") == 0);
        CloneBadInputIT.sh("docker", "run", "-d", "--name", front, "--network", network, "-v", "/usr:/usr:ro",
                "-v", frontClasses() + ":/app:ro", "-p", "127.0.0.1:" + port + ":8080", CloneBadInputIT.IMAGE,
                "java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "/app", "io.parikshan.clone.testapp.RedisFrontService",
                "8080", "cache", "6379");
        await("the front answers", Duration.ofSeconds(30), () -> "alice".equals(get(url("/get/user:1"))));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null && session.isAlive()) {
            session.destroyForcibly();
            session.waitFor(30, TimeUnit.SECONDS);
        }
        for (String c : Clones.of(front)) {
            CliRun.of("destroy", c);
        }
        PortTakeover.removeStale(front::equals);
        CloneBadInputIT.run("docker", "rm", "-f", front, db);
        CloneBadInputIT.run("docker", "network", "rm", network);
    }

    @Test
    void the_group_answers_as_production_does_where_the_clone_alone_diverges_on_every_exchange() throws Exception {
        // Production's clients: each increments a counter through the front and checks the answer.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String answer = CloneBadInputIT.out("curl", "-sS", "-f", "--max-time", "10", url("/incr/prod-calls"));
                    int n = calls.incrementAndGet();
                    if (!answer.equals(Integer.toString(n))) {
                        wrong.compareAndSet(null, "call " + n + " answered '" + answer + "'");
                    }
                    if (!"alice".equals(CloneBadInputIT.out("curl", "-sS", "-f", "--max-time", "10", url("/get/user:1")))) {
                        wrong.compareAndSet(null, "a read of user:1 went wrong after call " + n);
                    }
                } catch (Exception e) {
                    wrong.compareAndSet(null, e.toString());
                }
            }
        }, "production-client");
        client.start();
        try {
            // alone: every compared exchange diverges (the clone's front cannot reach a Redis)
            startSession("--compare", "http");
            String alone = status().path("clones").get(0).path("name").asText();
            assertThat(status().path("clones").get(0).path("members")).isEmpty();
            await("10 exchanges compared", Duration.ofSeconds(60), () -> compared(alone) >= 10);
            JsonNode f = fidelity(alone);
            assertThat(f.path("divergent").asLong()).as(f.toString()).isEqualTo(f.path("compared").asLong());
            assertThat(f.path("divergentExchanges").findValuesAsText("request")).anyMatch(r -> r.startsWith("GET /get/"));
            endSession();

            // with its Redis: the group's answers are production's
            startSession("--compare", "http", "--with", db);
            JsonNode first = status().path("clones").get(0);
            String group = first.path("name").asText();
            assertThat(first.path("members")).hasSize(1);
            assertThat(first.path("members").get(0).path("production").asText()).isEqualTo(db);
            assertThat(first.path("members").get(0).path("name").asText()).isEqualTo(group + "." + db);
            assertThat(Clones.running(group + "." + db)).isTrue();
            assertThat(Files.readString(sessionLog)).contains("with " + group + "." + db + " (clone of " + db + ")");
            assertThat(CliRun.of("status", front).out()).contains("with " + group + "." + db).contains("clone of " + db);
            assertInStep(group);

            // a re-sync under load replaces the whole group at one new cut
            CliRun sync = CliRun.of("sync", front);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            await("a fresh group", Duration.ofSeconds(90),
                    () -> !status().path("clones").get(0).path("name").asText().equals(group));
            String fresh = status().path("clones").get(0).path("name").asText();
            assertThat(status().path("clones").get(0).path("members").get(0).path("name").asText()).isEqualTo(fresh + "." + db);
            await("the old group is gone", Duration.ofSeconds(30),
                    () -> !Clones.exists(group) && !Clones.exists(group + "." + db));
            assertInStep(fresh);

            // the fresh group's Redis holds production's count, as far as the clients' requests went
            stop.set(true);
            client.join();
            await("the clone took every byte", Duration.ofSeconds(30),
                    () -> status().path("clones").get(0).path("lagBytes").asLong() == 0);
            Thread.sleep(500);
            long production = Long.parseLong(CloneBadInputIT.out("docker", "exec", db, "redis-cli", "GET", "prod-calls").strip());
            long inClone = Long.parseLong(CloneBadInputIT.out("runc", "--root", "/run/parikshan/runc", "exec", fresh + "." + db,
                    "redis-cli", "GET", "prod-calls").strip());
            // one request in flight at the checkpoint (sent to production just before it froze) may be missed
            assertThat(production - inClone).as("production %d, the group's Redis %d", production, inClone).isBetween(0L, 1L);
            endSession();
        } finally {
            stop.set(true);
            client.join();
        }
        assertThat(wrong.get()).as("production's answers").isNull();
        assertThat(calls.get()).isGreaterThan(40);
        // production's Redis got exactly production's requests, none of the clones'
        assertThat(CloneBadInputIT.out("docker", "exec", db, "redis-cli", "GET", "prod-calls"))
                .isEqualTo(Integer.toString(calls.get()));
        assertThat(Clones.of(front)).isEmpty();
        assertThat(Clones.of(db)).isEmpty();
        assertThat(CloneBadInputIT.out("iptables", "-w", "-S")).doesNotContain("parikshan:" + front);
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).doesNotContain("parikshan:" + front);
        try (Stream<Path> states = Files.list(Path.of("/var/lib/parikshan/clones"))) {
            assertThat(states.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(front))).isEmpty();
        }
    }

    /**
     * The group answers as production does: every read of the Redis tier's data matches
     * production's, before and after the clone has replayed the connections held for it during
     * its restore. A counter's answers may differ: those replayed connections run concurrently
     * (their increments may come in another order), and a request in flight in production at the
     * checkpoint is in neither the front's nor the Redis clone's state, as for any clone.
     */
    private void assertInStep(String clone) throws Exception {
        await("20 exchanges compared by " + clone, Duration.ofSeconds(60), () -> compared(clone) >= 20);
        await("the clone took every byte", Duration.ofSeconds(30),
                () -> status().path("clones").get(0).path("lagBytes").asLong() == 0);
        long compared = compared(clone);
        await("20 more exchanges compared by " + clone, Duration.ofSeconds(60), () -> compared(clone) >= compared + 20);
        JsonNode f = fidelity(clone);
        assertThat(f.path("compared").asLong()).isGreaterThan(f.path("divergent").asLong());
        for (JsonNode d : f.path("divergentExchanges")) {
            assertThat(d.path("request").asText()).as(d.toString()).startsWith("GET /incr/");
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private long compared(String clone) throws IOException {
        return fidelity(clone).path("compared").asLong();
    }

    private JsonNode fidelity(String clone) throws IOException {
        for (JsonNode f : status().path("fidelity")) {
            if (f.path("cloneName").asText().equals(clone)) {
                return f;
            }
        }
        return JSON.createObjectNode();
    }

    private void startSession(String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JAR.toString(), "clone", front, "--port", "8080", "--metrics", "127.0.0.1:0", "--status-every", "1s",
                "--drain", "3s"));
        cmd.addAll(List.of(more));
        sessionLog = tmp.resolve("session-" + System.nanoTime() + ".log");
        session = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(sessionLog.toFile()).start();
        await("the session runs", Duration.ofSeconds(180), () -> {
            if (!session.isAlive()) {
                fail("the session ended early (exit " + session.exitValue() + "):\n" + Files.readString(sessionLog));
            }
            return Files.readString(sessionLog).contains("Ctrl-C ends the session");
        });
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("parikshan: metrics (http://\\S+)/metrics")
                .matcher(Files.readString(sessionLog));
        assertThat(m.find()).isTrue();
        control = m.group(1);
    }

    private void endSession() throws Exception {
        session.destroy();
        assertThat(session.waitFor(90, TimeUnit.SECONDS)).as("the session ends").isTrue();
        await("the session says it ended", Duration.ofSeconds(5),
                () -> Files.readString(sessionLog).contains("session ended"));
        assertThat(Clones.of(front)).as(Files.readString(sessionLog)).isEmpty();
    }

    private JsonNode status() throws IOException {
        String body = get(control + "/status");
        if (body == null) {
            throw new IOException("no status from " + control);
        }
        return JSON.readTree(body);
    }

    static Path frontClasses() {
        return CloneBadInputIT.repo().resolve("clone-manager/target/test-classes");
    }
}
