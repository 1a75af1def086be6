package io.parikshan.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.parikshan.proxy.HostPort;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host side's one Prometheus endpoint, on loopback. */
class HttpEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void serves_the_registry_at_metrics_and_its_owners_routes_beside_it() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("parikshan_test_events_total").help("Test events.").register(registry).inc(3);
        try (HttpEndpoint e = HttpEndpoint.start(new HostPort("127.0.0.1", 0), registry, Map.of("/hello", ex -> {
            byte[] b = "hi".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        }), "test-endpoint")) {
            assertThat(e.url()).isEqualTo("http://127.0.0.1:" + e.port());
            assertThat(get(e.url() + "/metrics")).contains("parikshan_test_events_total 3.0");
            assertThat(get(e.url() + "/hello")).isEqualTo("hi");
        }
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
