package io.parikshan.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.proxy.HostPort;
import io.parikshan.session.HttpEndpoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/prometheus against the real tools: promtool checks the config and rules and runs the alert
 * unit tests; the real Prometheus on 127.0.0.1:9090 (started by deploy/host/prometheus.sh) accepts
 * every dashboard expression and scrapes a real endpoint this test serves on 127.0.0.1:9464.
 */
class PrometheusConfigIT {

    static final Path CONFIG = HostTool.DEPLOY.resolve("prometheus");
    static final Path START_SCRIPT = HostTool.DEPLOY.resolve("host/prometheus.sh");
    static final String PROMETHEUS = "http://127.0.0.1:9090";
    static final int SESSION_PORT = 9464;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void requirePromtool() throws InterruptedException {
        HostTool.require("promtool", "apt-get install prometheus; deploy/host/setup.sh installs it");
    }

    @Test
    void promtoolAcceptsTheConfigAndTheRulesAndEveryAlertUnitTestPasses() throws Exception {
        HostTool.Result config = promtool("check", "config", "prometheus.yml");
        assertThat(config.status()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS: 1 rule files found", "is valid prometheus config file syntax");

        HostTool.Result rules = promtool("check", "rules", "alerts.yml");
        assertThat(rules.status()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: " + AlertRules.names(CONFIG.resolve("alerts.yml")).size() + " rules found");

        HostTool.Result tests = promtool("test", "rules", "alerts-test.yml");
        assertThat(tests.status()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void theRealPrometheusAcceptsEveryDashboardExpression() throws Exception {
        requirePrometheus();
        List<String> rejected = new ArrayList<>();
        List<String> expressions = Dashboard.expressions(CONFIG.resolve("grafana-dashboard.json"));
        assertThat(expressions).hasSizeGreaterThan(20);
        for (String expr : expressions) {
            String query = Dashboard.withVariablesForPrometheus(expr);
            HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                rejected.add(query + " -> " + r.statusCode() + " " + body.path("error").asText(r.body()));
            }
        }
        assertThat(rejected).as("dashboard expressions Prometheus rejects").isEmpty();
    }

    @Test
    void prometheusScrapesTheSessionMetricsEndpoint() throws Exception {
        requirePrometheus();
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter check = Counter.builder().name("parikshan_demo_check_total")
                .help("Set by PrometheusConfigIT to see the scrape reach Prometheus").register(registry);
        long value = ThreadLocalRandom.current().nextLong(1, 1_000_000);
        check.inc(value);
        try (HttpEndpoint server = startOnSessionPort(registry)) {
            String query = "parikshan_demo_check_total{job=\"parikshan\",instance=\"127.0.0.1:" + SESSION_PORT + "\"}";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String last = "";
            while (System.nanoTime() < deadline) {
                HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
                last = r.body();
                JsonNode result = JSON.readTree(last).path("data").path("result");
                if (result.size() == 1 && result.get(0).path("value").get(1).asDouble() == value) {
                    assertThat(server.port()).isEqualTo(SESSION_PORT);
                    // The demo's read-out of the same Prometheus sees the endpoint up.
                    HostTool.Result summary = HostTool.run(List.of("bash",
                            HostTool.DEPLOY.resolve("demo/prometheus-summary.sh").toString()), HostTool.DEPLOY, 60);
                    assertThat(summary.status()).as(summary.output()).isZero();
                    assertThat(summary.output()).contains("session endpoint 127.0.0.1:" + SESSION_PORT + " up",
                            "alerts firing:", PROMETHEUS + "/alerts");
                    return;
                }
                Thread.sleep(250);
            }
            fail("Prometheus did not report " + query + " = " + value + " within 20 s; last answer: " + last
                    + "; targets: " + get("/api/v1/targets").body());
        }
    }

    /** The session's metrics port; another session on this host may hold it for a while. */
    private static HttpEndpoint startOnSessionPort(PrometheusRegistry registry) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return HttpEndpoint.start(new HostPort("127.0.0.1", SESSION_PORT), registry, Map.of(), "parikshan-test-metrics");
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    HostTool.skipOrFail("127.0.0.1:" + SESSION_PORT + " stayed in use for 30 s (a running parikshan "
                            + "session?); stop it to run this test");
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * Under CI=true, deploy/host/prometheus.sh starts (or reloads) Prometheus and must succeed. Elsewhere a
     * Prometheus that is not running skips the test; a running one gets the current config the same way.
     */
    private static void requirePrometheus() throws Exception {
        if (!HostTool.ci() && !ready()) {
            HostTool.skipOrFail("no Prometheus answers on " + PROMETHEUS + "; start it with: sudo " + START_SCRIPT);
        }
        HostTool.Result started = HostTool.run(List.of("bash", START_SCRIPT.toString(), "start"), HostTool.DEPLOY, 90);
        if (started.status() != 0) {
            HostTool.skipOrFail(START_SCRIPT + " failed: " + started.output());
        }
        assertThat(ready()).as("%s/-/ready after %s", PROMETHEUS, START_SCRIPT).isTrue();
    }

    private static boolean ready() {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(PROMETHEUS + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HostTool.Result promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        return HostTool.run(cmd, CONFIG, 60);
    }
}
