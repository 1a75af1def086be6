package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.proxy.HostPort;
import io.parikshan.session.PortTakeover;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole in-vivo test session on the real engine and CRIU, driven as a user would: the demo
 * service (with its latent bug) runs as production, real curl clients keep a steady load on its
 * published port and check every answer, {@code parikshan clone PROD --tests suite.jar} runs as its
 * own process (port takeover, clone, probes), a forced re-sync and a crashed clone are handled, the
 * real Prometheus has scraped the session, and SIGTERM ends it leaving nothing behind.
 */
class SessionWorkflowIT {

    static final Path JAR = Path.of(System.getProperty("basedir", "."), "target", "parikshan.jar").toAbsolutePath();
    static final String RUN = "pk-it-wf-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    static final String PROMETHEUS = "http://127.0.0.1:9090";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String image;

    String prod;
    int port;
    Process session;
    String control;
    Path sessionLog;

    @TempDir
    Path tmp;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker, CRIU and Prometheus", get(PROMETHEUS + "/-/ready") == null
                ? List.of("no Prometheus on 127.0.0.1:9090 (deploy/host/prometheus.sh)") : List.of());
        image = CloneBadInputIT.out("bash", CloneBadInputIT.repo().resolve("deploy/demo/build-image.sh").toString()).lines()
                .reduce((a, b) -> b).orElseThrow().strip();
        assertThat(suiteJar()).exists();
        assertThat(agentJar()).exists();
    }

    @BeforeEach
    void production() throws Exception {
        prod = RUN + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "run", "-d", "--name", prod, "-v", "/usr:/usr:ro",
                "-p", "127.0.0.1:" + port + ":8080", image);
        await("production answers", Duration.ofSeconds(30), () -> get("http://127.0.0.1:" + port + "/count") != null);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null && session.isAlive()) {
            session.destroyForcibly();
            session.waitFor(30, TimeUnit.SECONDS);
        }
        for (String c : Clones.of(prod)) {
            CliRun.of("destroy", c);
        }
        PortTakeover.removeStale(prod::equals);
        CloneBadInputIT.run("docker", "rm", "-f", prod);
    }

    @Test
    void clients_never_notice_clone_probes_resync_and_teardown_while_prometheus_sees_it_all() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            Thread.sleep(1500); // the keep-alive reader's connection predates the takeover
            startSession("--resync-after-desyncs", "0");
            String first = status().path("clones").get(0).path("name").asText();
            await("the clone gets duplicated traffic and probes pass", Duration.ofSeconds(60), () -> {
                JsonNode s = status();
                return s.path("clones").get(0).path("sentBytes").asLong() > 0 && s.path("probes").path("pass").asLong() > 0;
            });

            // the latent bug, through the client-facing address: production answers, the clone's probe fails
            // (curl: a new connection each, so through the proxy; a pooled one from before would go straight to production)
            String base = "http://127.0.0.1:" + port + "/kv/";
            assertThat(CloneBadInputIT.out("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data", "alice", base + "User42")).isEqualTo("204");
            assertThat(CloneBadInputIT.out("curl", "-sS", base + "User42")).isEqualTo("alice");
            CloneBadInputIT.out("curl", "-sS", base + "user42");
            await("the kv-read probe caught the bug in the clone", Duration.ofSeconds(30),
                    () -> probe(status(), "kv-read").path("fail").asLong() >= 1);
            // the same failure through the probe commands, as a user would look at it
            CliRun results = CliRun.of("probe", "results", first, "--agent-jar", agentJar().toString());
            assertThat(results.exitCode()).as(results.err()).isZero();
            assertThat(results.out()).contains("\"probe\":\"kv-read\"").contains("\"outcome\":\"fail\"")
                    .contains("GET user42 served 'alice'");
            CliRun listed = CliRun.of("probe", "list", first, "--agent-jar", agentJar().toString());
            assertThat(listed.exitCode()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("sample-service");

            CliRun sync = CliRun.of("sync", prod);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            JsonNode afterSync = JSON.readTree(CliRun.of("status", prod, "--json").out()).get(0);
            String second = afterSync.path("clones").get(0).path("name").asText();
            assertThat(second).isNotEqualTo(first);
            assertThat(afterSync.path("resyncs").path("manual").asLong()).isEqualTo(1);
            assertThat(Clones.exists(first)).as("old clone removed").isFalse();
            await("the fresh clone gets traffic and runs probes", Duration.ofSeconds(60), () -> {
                JsonNode s = status();
                return s.path("clones").get(0).path("sentBytes").asLong() > 0
                        && s.path("probes").path("pass").asLong() > afterSync.path("probes").path("pass").asLong();
            });
            // the probe counts of the removed clone stay in the totals
            assertThat(probe(status(), "kv-read").path("fail").asLong()).isGreaterThanOrEqualTo(1);

            await("Prometheus scraped lag, probe and re-sync series", Duration.ofSeconds(45), () ->
                    !promQuery("parikshan_buffer_lag_bytes{clone=\"" + second + "\"}").isEmpty()
                            && !promQuery("parikshan_probe_invocations_total{probe=\"kv-read\",outcome=\"fail\",clone=~\"" + prod + "-clone-.*\"}").isEmpty()
                            && promQuery("parikshan_resyncs_total{reason=\"manual\"} == 1").size() == 1);

            endSession();
            assertThat(get("http://127.0.0.1:" + port + "/count")).as("production serves directly after the session").isNotNull();
            Thread.sleep(1500);
            seen = load.stop();
        }
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).as("checked writes and reads").isGreaterThan(30);
        assertThat(seen.keepAliveAnswers()).isGreaterThan(30);
        // the keep-alive connection predates the takeover: it stayed with production, never cut or moved
        assertThat(seen.keepAliveConnects()).as("keep-alive connections opened").isEqualTo(1);
        assertNothingLeft();
    }

    /**
     * CRIU's own fault injection (CRIU_FAULT, read by the criu that runc starts): 1 kills CRIU in
     * the middle of the dump, production seized and frozen; 6 fails the restore once the clone's
     * tasks exist. Either way the session has already taken over production's port: clients on
     * new and keep-alive connections through the proxy must get every answer while it hands
     * production back.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "CRIU_FAULT={0} ({1})")
    @org.junit.jupiter.params.provider.CsvSource({"1, dump", "6, restore"})
    void a_clone_failing_after_the_takeover_never_fails_a_client(int fault, String action) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-jar", JAR.toString(), "clone", prod,
                "--status-every", "1s", "--drain", "5s", "--metrics", "127.0.0.1:0"));
        sessionLog = tmp.resolve("session.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(sessionLog.toFile());
        pb.environment().put("CRIU_FAULT", Integer.toString(fault));
        CurlLoad.Outcome seen;
        session = pb.start();
        await("the port is taken over", Duration.ofSeconds(60), () -> sessionOut().contains("now go through the proxy"));
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 3)) {
            assertThat(session.waitFor(120, TimeUnit.SECONDS)).as("the failed session ends").isTrue();
            assertThat(session.exitValue()).as(sessionOut()).isEqualTo(1);
            Thread.sleep(1500); // clients go on against production directly
            seen = load.stop();
        }
        String out = sessionOut();
        assertThat(out).as(out).contains("CRIU could not " + action);
        assertThat(out.lines().filter(l -> l.startsWith("parikshan clone: ")).count()).as(out).isEqualTo(1);
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertThat(seen.failed()).isZero();
        assertThat(seen.ok()).as("checked writes and reads").isGreaterThan(5);
        // the keep-alive reader came through the proxy and was closed between two of its requests
        assertThat(seen.keepAliveConnects()).as("keep-alive connections opened").isGreaterThanOrEqualTo(2);
        assertThat(get("http://127.0.0.1:" + port + "/count")).isNotNull();
        assertNothingLeft();
    }

    @Test
    void a_killed_clone_is_replaced_by_a_fresh_one_while_production_serves_on() throws Exception {
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 2)) {
            startSession("--clones", "2", "--resync-backoff", "1s", "--metrics", "127.0.0.1:0"); // no Prometheus needed
            JsonNode before = status();
            assertThat(before.path("clones")).hasSize(2);
            String killed = before.path("clones").get(0).path("name").asText();
            String other = before.path("clones").get(1).path("name").asText();
            Clones.kill(killed);
            await("a fresh clone replaced the killed one", Duration.ofSeconds(90), () -> {
                JsonNode s = status();
                return s.path("resyncs").path("crashed").asLong() == 1
                        && !s.path("clones").get(0).path("name").asText().equals(killed);
            });
            JsonNode after = status();
            String fresh = after.path("clones").get(0).path("name").asText();
            assertThat(after.path("clones").get(1).path("name").asText()).as("the other clone stays").isEqualTo(other);
            assertThat(Clones.running(fresh)).isTrue();
            await("both clones get traffic", Duration.ofSeconds(30), () -> {
                JsonNode s = status();
                return s.path("clones").get(0).path("sentBytes").asLong() > 0 && s.path("clones").get(1).path("sentBytes").asLong() > 0;
            });
            String metrics = get(control + "/metrics");
            assertThat(metrics).contains("parikshan_resync_duration_seconds_count 1").contains("parikshan_session_clones 2");
            endSession();
            seen = load.stop();
        }
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertThat(seen.ok()).isGreaterThan(10);
        assertNothingLeft();
    }

    @Test
    void answers_that_drift_from_production_are_reported_side_by_side_and_trigger_a_resync() throws Exception {
        CurlLoad.Outcome seen;
        // no writers: their exchanges through the proxy all match, and would dilute the ratio
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 0)) {
            // the keep-alive reader's connection predates the takeover: production counts its requests,
            // the clone never sees them, so the clone's /count drifts behind production's
            Thread.sleep(1000);
            startSession("--compare", "auto", "--resync-on-divergence", "0.3", "--resync-backoff", "1s",
                    "--metrics", "127.0.0.1:0");
            String first = status().path("clones").get(0).path("name").asText();
            String url = "http://127.0.0.1:" + port + "/count";
            for (int i = 0; i < 5; i++) { // fewer than the 20 compared exchanges a divergence re-sync needs
                CloneBadInputIT.out("curl", "-sS", "-f", url); // a new connection each: through the proxy
            }
            JsonNode[] diverged = new JsonNode[1];
            await("the divergent /count exchanges are logged with both answers", Duration.ofSeconds(30), () -> {
                for (JsonNode f : status().path("fidelity")) {
                    for (JsonNode d : f.path("divergentExchanges")) {
                        if (f.path("cloneName").asText().equals(first) && d.path("request").asText().startsWith("GET /count")) {
                            diverged[0] = d;
                            return true;
                        }
                    }
                }
                return false;
            });
            assertThat(diverged[0].path("differences").toString()).contains("body differs");
            assertThat(diverged[0].path("productionAnswer").asText()).isNotEqualTo(diverged[0].path("cloneAnswer").asText());
            assertThat(CliRun.of("status", prod).out()).contains("fidelity  " + first + " (auto)").contains("body differs");
            for (int i = 0; i < 25; i++) {
                CloneBadInputIT.out("curl", "-sS", "-f", url);
            }
            await("the drifted clone is re-synced", Duration.ofSeconds(90),
                    () -> status().path("resyncs").path("divergent").asLong() >= 1);
            assertThat(status().path("clones").get(0).path("name").asText()).isNotEqualTo(first);
            String metrics = get(control + "/metrics");
            assertThat(metrics).containsPattern("parikshan_fidelity_divergent_exchanges_total\\{clone=\"" + first + "\"} [1-9]");
            endSession();
            seen = load.stop();
        }
        assertThat(seen.failures()).as("client failures").isEmpty();
        assertNothingLeft();
    }

    @Test
    void a_fresh_clone_starts_in_step_with_production_having_seen_the_connections_opened_during_its_restore() throws Exception {
        startSession("--metrics", "127.0.0.1:0");
        String first = status().path("clones").get(0).path("name").asText();
        String url = "http://127.0.0.1:" + port + "/count";
        // a new connection per request, so every one goes through the proxy; /count counts them all
        syncUnderLoad(i -> CloneBadInputIT.out("curl", "-sS", "-f", "--max-time", "5", url), a -> a.matches("\\d+"));
        JsonNode clone = status().path("clones").get(0);
        assertThat(clone.path("name").asText()).isNotEqualTo(first);
        await("the clone took every byte", Duration.ofSeconds(30), () -> status().path("clones").get(0).path("lagBytes").asLong() == 0);
        Thread.sleep(500); // the clone's last answers
        // Both asked directly, production first: equal counts mean the clone saw every request that
        // production served after the checkpoint, the ones sent during its restore included. One
        // request in flight at the checkpoint (sent to production just before it froze) may be missed.
        String prodIp = CloneBadInputIT.out("docker", "inspect", "-f",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", prod).strip();
        long production = Long.parseLong(get("http://" + prodIp + ":8080/count").strip());
        long inClone = Long.parseLong(get("http://" + clone.path("address").asText() + "/count").strip());
        assertThat(production - inClone).as("requests production served that the fresh clone missed (production %d, clone %d)",
                production, inClone).isBetween(0L, 1L);
        assertThat(status().path("clones").get(0).path("desyncedConnections").asLong()).as("held connections dropped").isZero();
        endSession();
        assertNothingLeft();
    }

    @Test
    void a_udp_service_from_debian_gets_every_datagram_duplicated_and_a_killed_clone_never_touches_its_answers() throws Exception {
        for (String tool : List.of("/usr/sbin/dnsmasq", "/usr/bin/dig")) {
            if (!Files.isExecutable(Path.of(tool))) {
                String why = tool + " missing; deploy/host/setup.sh installs dnsmasq-base and bind9-dnsutils";
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true: " + why);
                }
                Assumptions.abort(why);
            }
        }
        // production: Debian's dnsmasq answering from memory and counting its answers (hits.bind)
        CloneBadInputIT.sh("docker", "rm", "-f", prod);
        CloneBadInputIT.sh("docker", "run", "-d", "--name", prod, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + port + ":5353/udp",
                "--entrypoint", "/usr/sbin/dnsmasq", image, "--keep-in-foreground", "--port=5353", "--no-resolv", "--no-hosts",
                "--user=root", "--pid-file=", "--address=/svc.test/10.9.8.7");
        await("production answers DNS", Duration.ofSeconds(30), () -> "10.9.8.7".equals(dig("127.0.0.1", port, "a.svc.test")));
        startSession(false, "--port", "5353/udp", "--metrics", "127.0.0.1:0");
        assertThat(sessionOut()).contains("port 5353/udp").contains("new UDP flows to 127.0.0.1:" + port);
        String prodIp = CloneBadInputIT.out("docker", "inspect", "-f",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", prod).strip();
        HostPort first = HostPort.parse(status().path("clones").get(0).path("address").asText());
        DnsHits production = new DnsHits(prodIp, 5353);
        DnsHits clone = new DnsHits(first.host(), first.port());
        long p0 = production.now();
        long c0 = clone.now();

        for (int i = 0; i < 40; i++) { // each dig is a new flow (new source port): through the proxy
            assertThat(dig("127.0.0.1", port, "q" + i + ".svc.test")).isEqualTo("10.9.8.7");
        }
        await("the clone answered every query too", Duration.ofSeconds(10), () -> clone.now() - c0 == 40);
        assertThat(production.now() - p0).as("production answered each query once").isEqualTo(40);

        // the clone dies: production's answers go on, and a fresh clone is fed
        String firstName = status().path("clones").get(0).path("name").asText();
        Clones.kill(firstName);
        for (int i = 0; i < 20; i++) {
            assertThat(dig("127.0.0.1", port, "k" + i + ".svc.test")).as("answer while the clone is dead or re-made").isEqualTo("10.9.8.7");
        }
        await("the crashed clone is replaced", Duration.ofSeconds(90), () -> status().path("resyncs").path("crashed").asLong() >= 1
                && !status().path("clones").get(0).path("name").asText().equals(firstName));
        HostPort at = HostPort.parse(status().path("clones").get(0).path("address").asText());
        DnsHits fresh = new DnsHits(at.host(), at.port());
        long f0 = fresh.now();
        for (int i = 0; i < 10; i++) {
            assertThat(dig("127.0.0.1", port, "r" + i + ".svc.test")).isEqualTo("10.9.8.7");
        }
        await("the fresh clone answered the new queries", Duration.ofSeconds(10), () -> fresh.now() - f0 == 10);

        // a re-sync under a query stream: the next clone gets the datagrams sent during its restore too
        syncUnderLoad(i -> dig("127.0.0.1", port, "s" + i + ".svc.test"), "10.9.8.7"::equals);
        Thread.sleep(300);
        // Raw counts, each side asked for the first time since the checkpoint: production's earlier
        // hits.bind reads are in both, so the difference is what the clone missed.
        HostPort third = HostPort.parse(status().path("clones").get(0).path("address").asText());
        long productionRaw = new DnsHits(prodIp, 5353).now();
        long cloneRaw = new DnsHits(third.host(), third.port()).now();
        assertThat(productionRaw - cloneRaw).as("queries production answered that the fresh clone missed (production %d, clone %d)",
                productionRaw, cloneRaw).isBetween(0L, 1L);
        endSession();
        assertNothingLeft();
    }

    interface Request {
        String send(int i) throws Exception;
    }

    /**
     * Runs {@code parikshan sync} while a client sends one request after another (at least 5
     * during the re-sync and 5 after it); every answer must be {@code right}.
     */
    private void syncUnderLoad(Request request, java.util.function.Predicate<String> right) throws Exception {
        AtomicInteger answered = new AtomicInteger();
        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread client = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    String a = request.send(i);
                    if (right.test(a)) {
                        answered.incrementAndGet();
                    } else {
                        wrong.add(a);
                    }
                } catch (Exception e) {
                    wrong.add(e.toString());
                }
            }
        }, "sync-load-client");
        client.start();
        try {
            await("the client runs", Duration.ofSeconds(30), () -> answered.get() >= 5);
            int before = answered.get();
            CliRun sync = CliRun.of("sync", prod); // returns once the fresh clone is fed
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            assertThat(answered.get() - before).as("requests while the fresh clone was made and restored").isGreaterThanOrEqualTo(5);
            int after = answered.get();
            await("requests after the re-sync", Duration.ofSeconds(30), () -> answered.get() >= after + 5);
        } finally {
            stop.set(true);
            client.join(30_000);
        }
        assertThat(wrong).as("wrong answers or client failures").isEmpty();
    }

    /** One DNS query, one try: the answer's first line, or dig's error. */
    private static String dig(String host, int port, String name) throws Exception {
        return CloneBadInputIT.out("dig", "+short", "+tries=1", "+time=3", "-p", Integer.toString(port), "@" + host, name);
    }

    /**
     * dnsmasq's count of answers from its own records (hits.bind), asked directly. dnsmasq counts
     * each hits.bind query too, once answered: the reads this counter made are taken off.
     */
    private static final class DnsHits {
        private final String host;
        private final int port;
        private int asked;

        DnsHits(String host, int port) {
            this.host = host;
            this.port = port;
        }

        long now() throws Exception {
            String txt = CloneBadInputIT.out("dig", "+short", "+tries=1", "+time=3", "-p", Integer.toString(port), "@" + host,
                    "chaos", "txt", "hits.bind");
            try {
                return Long.parseLong(txt.replace("\"", "").strip()) - asked++;
            } catch (NumberFormatException noAnswer) {
                return -1;
            }
        }
    }

    @Test
    void a_periodically_resynced_session_killed_with_sigkill_gives_the_port_back_to_production_within_seconds() throws Exception {
        startSession("--metrics", "127.0.0.1:0", "--resync-every", "10s");
        String first = status().path("clones").get(0).path("name").asText();
        await("a periodic re-sync", Duration.ofSeconds(60), () -> status().path("resyncs").path("periodic").asLong() >= 1);
        assertThat(status().path("clones").get(0).path("name").asText()).isNotEqualTo(first);
        String url = "http://127.0.0.1:" + port + "/count";
        assertThat(CloneBadInputIT.out("curl", "-sS", "-f", url)).as("through the proxy").matches("\\d+");
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).contains("parikshan-takeover:" + prod);
        long killedAt = System.nanoTime();
        ProcessHandle.of(session.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hook runs
        session.waitFor(30, TimeUnit.SECONDS);
        // the guard process removes the redirect once the session's JVM is gone
        await("production answers on its published port again", Duration.ofSeconds(10),
                () -> CloneBadInputIT.out("curl", "-sS", "-f", "--max-time", "2", url).matches("\\d+"));
        long downMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(downMillis).as("ms until production answered again").isLessThan(10_000);
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).doesNotContain("parikshan-takeover:" + prod);
        // the clone outlives a killed session (it may be examined); destroy removes it and all it owns
        List<String> clones = Clones.of(prod);
        assertThat(clones).isNotEmpty();
        for (String c : clones) {
            assertThat(CliRun.of("destroy", c).exitCode()).isZero();
        }
        io.parikshan.session.SessionFile.running(Path.of("/var/lib/parikshan")); // drops the dead session's file
        assertNothingLeft();
    }

    private void startSession(String... more) throws Exception {
        startSession(true, more);
    }

    private void startSession(boolean probes, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-jar", JAR.toString(), "clone", prod,
                "--status-every", "1s", "--drain", "5s"));
        if (probes) {
            cmd.addAll(List.of("--tests", suiteJar().toString(), "--agent-jar", agentJar().toString()));
        }
        cmd.addAll(List.of(more));
        sessionLog = tmp.resolve("session.log");
        session = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(sessionLog.toFile()).start();
        await("the session runs", Duration.ofSeconds(180), () -> {
            if (!session.isAlive()) {
                fail("the session ended early (exit " + session.exitValue() + "):\n" + sessionOut());
            }
            return sessionOut().contains("Ctrl-C ends the session");
        });
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("parikshan: metrics (http://\\S+)/metrics").matcher(sessionOut());
        assertThat(m.find()).as(sessionOut()).isTrue();
        control = m.group(1);
    }

    private String sessionOut() throws IOException {
        return Files.readString(sessionLog);
    }

    private void endSession() throws Exception {
        session.destroy(); // SIGTERM, as Ctrl-C or a service manager would
        assertThat(session.waitFor(90, TimeUnit.SECONDS)).as("the session ends").isTrue();
        int exit = session.exitValue();
        try {
            await("output drained", Duration.ofSeconds(5), () -> sessionOut().contains("session ended"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; exit " + exit + "; the session printed:\n" + sessionOut(), e);
        }
        assertThat(sessionOut()).as(sessionOut())
                .contains("session ended; clones removed, production serves its clients directly");
        assertThat(session.exitValue()).isIn(0, 143);
    }

    private void assertNothingLeft() throws Exception {
        assertThat(Clones.of(prod)).as("clones").isEmpty();
        assertThat(CloneBadInputIT.out("runc", "--root", "/run/parikshan/runc", "list", "-q")).as("runc clones").doesNotContain(prod);
        assertThat(CloneBadInputIT.out("docker", "network", "ls", "-q", "--filter", "name=parikshan-sbx-" + prod)).as("networks").isEmpty();
        assertThat(CloneBadInputIT.out("docker", "volume", "ls", "-q", "--filter", "name=parikshan-" + prod)).as("volumes").isEmpty();
        assertThat(CloneBadInputIT.out("iptables", "-w", "-S")).as("sandbox rules").doesNotContain("parikshan:" + prod);
        assertThat(CloneBadInputIT.out("iptables", "-w", "-t", "nat", "-S")).as("takeover rules").doesNotContain("parikshan-takeover:" + prod);
        try (Stream<Path> states = Files.list(Path.of("/var/lib/parikshan/clones"))) {
            assertThat(states.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prod))).as("state and checkpoint images").isEmpty();
        }
        assertThat(Path.of("/var/lib/parikshan/sessions", prod + ".json")).as("session file").doesNotExist();
        long pid = session.pid();
        await("no process of the session is left", Duration.ofSeconds(5), () -> ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .noneMatch(c -> c.contains("--pid=" + pid) || (c.contains("parikshan-probe-agent") && c.contains(prod))));
        assertThat(CloneBadInputIT.out("docker", "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod)).isEqualTo("running false");
    }

    private JsonNode status() throws IOException {
        String body = get(control + "/status");
        if (body == null) {
            throw new IOException("no status from " + control);
        }
        return JSON.readTree(body);
    }

    private static JsonNode probe(JsonNode status, String name) {
        for (JsonNode p : status.path("probes").path("probes")) {
            if (p.path("probe").asText().equals(name)) {
                return p;
            }
        }
        return JSON.createObjectNode();
    }

    private static List<JsonNode> promQuery(String q) throws IOException {
        String body = get(PROMETHEUS + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
        if (body == null) {
            return List.of();
        }
        JsonNode r = JSON.readTree(body);
        assertThat(r.path("status").asText()).as(body).isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        r.path("data").path("result").forEach(out::add);
        return out;
    }

    /** The body of a 2xx answer, else null. */
    static String get(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    static Path suiteJar() {
        return CloneBadInputIT.repo().resolve("examples/sample-probe-suite/target/sample-probe-suite.jar");
    }

    static Path agentJar() {
        return CloneBadInputIT.repo().resolve("probe-agent/target/parikshan-probe-agent.jar");
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
