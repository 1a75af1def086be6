package io.parikshan.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.parikshan.proxy.metrics.DuplicatorMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A clone's typed statistics say what its exported series say, and outlive the clone as the series do. */
class CloneStatsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final CloneRoutes[] holder = new CloneRoutes[1];
    private final DuplicatorMetrics metrics = new DuplicatorMetrics(registry, () -> holder[0].current(), () -> new long[] {0, 0});
    private final CloneRoutes routes = new CloneRoutes(metrics);

    CloneStatsTest() {
        holder[0] = routes;
    }

    @Test
    void a_clones_statistics_match_its_series_and_stay_after_it_is_removed() {
        routes.add(new CloneTarget("c1", HostPort.parse("127.0.0.1:7002")));
        CloneRoute r = routes.current().get(0);
        r.metrics().opened();
        r.metrics().opened();
        r.metrics().closed();
        r.metrics().sent(300);
        r.metrics().dropped(40);
        r.metrics().desynced();
        r.addLag(1234);

        CloneStats s = routes.stats("c1").orElseThrow();
        assertThat(s).isEqualTo(new CloneStats("c1", 1, 1234, 0.0, 1, 300, 40));
        assertThat(s.activeConnections()).isEqualTo(Math.round(Scrape.value(registry, "parikshan_clone_active_connections", "c1")));
        assertThat(s.lagBytes()).isEqualTo(Math.round(Scrape.value(registry, "parikshan_buffer_lag_bytes", "c1")));
        assertThat(s.desyncedConnections()).isEqualTo(Math.round(Scrape.value(registry, "parikshan_clone_desynced_connections_total", "c1")));
        assertThat(s.sentBytes()).isEqualTo(Math.round(Scrape.value(registry, "parikshan_proxy_to_clone_bytes_total", "c1")));
        assertThat(s.droppedBytes()).isEqualTo(Math.round(Scrape.value(registry, "parikshan_proxy_to_clone_dropped_bytes_total", "c1")));

        routes.remove("c1");
        assertThat(routes.stats("c1").orElseThrow().desyncedConnections()).isEqualTo(1);
        assertThat(routes.stats("c1").orElseThrow().lagBytes()).isZero();
    }

    @Test
    void a_clone_held_for_has_statistics_and_an_unknown_name_has_none() {
        HeldClone held = routes.hold("c2");
        routes.current().get(0).metrics().desynced();
        assertThat(routes.stats("c2")).map(CloneStats::desyncedConnections).contains(1L);
        held.cancel();
        assertThat(routes.stats("nobody")).isEmpty();
        assertThat(routes.targets()).isEqualTo(List.of());
    }
}
