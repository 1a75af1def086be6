package io.parikshan.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/prometheus without any tool: the dashboard imports, covers the session, and uses only real metric names. */
class PrometheusFilesTest {

    static final Path DIR = HostTool.DEPLOY.resolve("prometheus");

    /** What a session exposes on 127.0.0.1:9464 (proxy, session, probes, fidelity). */
    static final Set<String> SESSION_METRICS = Set.of(
            "parikshan_client_to_proxy_bytes_total", "parikshan_proxy_to_production_bytes_total",
            "parikshan_production_to_client_bytes_total", "parikshan_production_connect_failures_total",
            "parikshan_proxy_active_connections", "parikshan_proxy_to_clone_bytes_total",
            "parikshan_proxy_to_clone_dropped_bytes_total", "parikshan_clone_desynced_connections_total",
            "parikshan_clone_connections_total", "parikshan_clone_to_proxy_discarded_bytes_total",
            "parikshan_clone_active_connections", "parikshan_buffer_lag_bytes", "parikshan_buffer_lag_seconds",
            "parikshan_buffer_used_bytes", "parikshan_buffer_budget_bytes",
            "parikshan_session_clones", "parikshan_clone_age_seconds", "parikshan_clone_duration_seconds",
            "parikshan_clone_frozen_seconds", "parikshan_resyncs_total", "parikshan_resync_failures_total",
            "parikshan_probe_invocations_total",
            "parikshan_fidelity_compared_exchanges_total", "parikshan_fidelity_divergent_exchanges_total",
            "parikshan_fidelity_divergence_ratio");

    private static final Pattern METRIC = Pattern.compile("parikshan_[a-z_]+");

    private static Set<String> metricsIn(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group().replaceAll("_(bucket|sum|count)$", ""));
        }
        return out;
    }

    @Test
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItMustNot() throws Exception {
        Set<String> alerts = AlertRules.names(DIR.resolve("alerts.yml"));
        assertThat(alerts).contains("ParikshanCloneLagGrowing", "ParikshanCloneDesynced", "ParikshanProbeTestFailures",
                "ParikshanResyncFailing", "ParikshanFidelityDivergence");
        List<AlertRules.Case> cases = AlertRules.cases(DIR.resolve("alerts-test.yml"));
        for (String alert : alerts) {
            assertThat(cases).as("cases of %s in alerts-test.yml", alert)
                    .contains(new AlertRules.Case(alert, true), new AlertRules.Case(alert, false));
        }
        assertThat(cases).extracting(AlertRules.Case::alert).allMatch(alerts::contains);
    }

    @Test
    void alertsAndDashboardUseOnlyMetricsTheSessionExposes() throws Exception {
        Set<String> used = new TreeSet<>(metricsIn(Files.readString(DIR.resolve("alerts.yml"))));
        used.addAll(metricsIn(String.join("\n", Dashboard.expressions(DIR.resolve("grafana-dashboard.json")))));
        assertThat(SESSION_METRICS).containsAll(used);
    }

    @Test
    void dashboardHasAPanelForEachConcern() throws Exception {
        Set<String> shown = metricsIn(String.join("\n", Dashboard.expressions(DIR.resolve("grafana-dashboard.json"))));
        assertThat(shown).contains("parikshan_buffer_lag_bytes", "parikshan_buffer_lag_seconds",
                "parikshan_proxy_to_clone_dropped_bytes_total", "parikshan_clone_desynced_connections_total",
                "parikshan_client_to_proxy_bytes_total", "parikshan_proxy_to_clone_bytes_total",
                "parikshan_probe_invocations_total", "parikshan_clone_duration_seconds", "parikshan_resyncs_total",
                "parikshan_clone_frozen_seconds", "parikshan_fidelity_divergence_ratio");
    }

    @Test
    void dashboardIsImportableWithAPrometheusDatasourceVariable() throws Exception {
        JsonNode d = Dashboard.read(DIR.resolve("grafana-dashboard.json"));
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("uid").asText()).matches("[a-z0-9-]{1,40}");
        List<JsonNode> variables = new ArrayList<>();
        d.path("templating").path("list").forEach(variables::add);
        assertThat(variables).anySatisfy(v -> {
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("name").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("unique panel id %s", p.path("id")).isTrue();
            assertThat(p.path("gridPos").path("w").asInt()).isBetween(1, 24);
        }
        List<JsonNode> panels = Dashboard.panels(d);
        assertThat(panels).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode p : panels) {
            assertThat(p.path("datasource").path("uid").asText()).as("datasource of %s", p.path("title"))
                    .isEqualTo("${datasource}");
            assertThat(p.path("targets")).as("targets of %s", p.path("title")).isNotEmpty();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(Dashboard.withVariablesForPrometheus(t.path("expr").asText()))
                        .as("expression of %s with variables filled", p.path("title")).doesNotContain("$");
            }
        }
    }

    @Test
    void prometheusScrapesTheSessionEndpointEverySecond() throws Exception {
        String config = Files.readString(DIR.resolve("prometheus.yml"));
        assertThat(config).contains("job_name: parikshan", "targets: ['127.0.0.1:9464']", "metrics_path: /metrics",
                "scrape_interval: 1s", "- alerts.yml");
    }
}
