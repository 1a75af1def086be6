package io.parikshan.proxy.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** All metrics of one duplicator, registered once in the registry given. */
public final class DuplicatorMetrics {

    /** What the lag gauges read at scrape time, one entry per live clone. */
    public interface LagView {
        String cloneName();

        long lagBytes();

        double lagSeconds();

        /** Divergent / compared exchanges since the clone was added; NaN when answers are not compared. */
        default double divergenceRatio() {
            return Double.NaN;
        }

        /** Requests held until the clone answered what production answered before them on other connections. */
        default long orderWaits() {
            return 0;
        }

        /** Production's answers the clone was not seen to give in time, so later requests went on without them. */
        default long orderExpired() {
            return 0;
        }
    }

    private final CounterDataPoint clientToProxyBytes;
    private final CounterDataPoint proxyToProductionBytes;
    private final CounterDataPoint productionToClientBytes;
    private final CounterDataPoint productionConnectFailures;
    private final Gauge activeConnections;
    private final Counter proxyToCloneBytes;
    private final Counter proxyToCloneDroppedBytes;
    private final Counter cloneDesyncedConnections;
    private final Counter cloneConnections;
    private final Counter cloneToProxyDiscardedBytes;
    private final Gauge cloneActiveConnections;
    private final Counter fidelityCompared;
    private final Counter fidelityDivergent;
    private final Counter fidelityNoise;
    private final Counter fidelityComparedBytes;
    private final Counter fidelityDropped;
    /** Every clone name's data points, kept after the clone goes as its series are. */
    private final Map<String, CloneMetrics> clones = new ConcurrentHashMap<>();

    public DuplicatorMetrics(PrometheusRegistry registry, Supplier<? extends Iterable<? extends LagView>> lagViews,
                             Supplier<long[]> globalBufferUsedAndLimit) {
        Objects.requireNonNull(registry, "registry");
        clientToProxyBytes = Counter.builder()
                .name("parikshan_client_to_proxy_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Bytes read from clients.").register(registry);
        proxyToProductionBytes = Counter.builder()
                .name("parikshan_proxy_to_production_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Client bytes written to production.").register(registry);
        productionToClientBytes = Counter.builder()
                .name("parikshan_production_to_client_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Production answer bytes written back to clients.").register(registry);
        productionConnectFailures = Counter.builder()
                .name("parikshan_production_connect_failures_total").withoutExemplars()
                .help("Client connections refused because production could not be reached.").register(registry);
        activeConnections = Gauge.builder()
                .name("parikshan_proxy_active_connections")
                .help("Client connections (TCP) or sessions (UDP) currently open through the proxy.").register(registry);
        proxyToCloneBytes = Counter.builder()
                .name("parikshan_proxy_to_clone_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Client bytes written to a clone.").labelNames("clone").register(registry);
        proxyToCloneDroppedBytes = Counter.builder()
                .name("parikshan_proxy_to_clone_dropped_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Client bytes a clone never got because its connection was dropped (budget, failure, stall).")
                .labelNames("clone").register(registry);
        cloneDesyncedConnections = Counter.builder()
                .name("parikshan_clone_desynced_connections_total").withoutExemplars()
                .help("Clone connections closed early because the clone could not keep up or failed.")
                .labelNames("clone").register(registry);
        cloneConnections = Counter.builder()
                .name("parikshan_clone_connections_total").withoutExemplars()
                .help("Clone connections (TCP) or sessions (UDP) opened.").labelNames("clone").register(registry);
        cloneToProxyDiscardedBytes = Counter.builder()
                .name("parikshan_clone_to_proxy_discarded_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Answer bytes from a clone, read and thrown away.").labelNames("clone").register(registry);
        cloneActiveConnections = Gauge.builder()
                .name("parikshan_clone_active_connections")
                .help("Clone connections currently open.").labelNames("clone").register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_buffer_lag_bytes").unit(Unit.BYTES)
                .help("Client bytes held for a clone and not yet written to it.")
                .labelNames("clone")
                .callback(cb -> {
                    for (LagView v : lagViews.get()) {
                        cb.call(v.lagBytes(), v.cloneName());
                    }
                }).register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_buffer_lag_seconds").unit(Unit.SECONDS)
                .help("Age of the oldest client byte not yet written to a clone (0 when none is waiting).")
                .labelNames("clone")
                .callback(cb -> {
                    for (LagView v : lagViews.get()) {
                        cb.call(v.lagSeconds(), v.cloneName());
                    }
                }).register(registry);
        fidelityCompared = Counter.builder()
                .name("parikshan_fidelity_compared_exchanges_total").withoutExemplars()
                .help("Exchanges (HTTP request/answer pairs, or whole TCP connections) whose clone answer was compared with production's.")
                .labelNames("clone").register(registry);
        fidelityDivergent = Counter.builder()
                .name("parikshan_fidelity_divergent_exchanges_total").withoutExemplars()
                .help("Compared exchanges where the clone answered differently from production (after the noise rules).")
                .labelNames("clone").register(registry);
        fidelityNoise = Counter.builder()
                .name("parikshan_fidelity_noise_exchanges_total").withoutExemplars()
                .help("Compared exchanges that differed from production only where the clones also differ from each other.")
                .labelNames("clone").register(registry);
        fidelityComparedBytes = Counter.builder()
                .name("parikshan_fidelity_compared_bytes_total").withoutExemplars().unit(Unit.BYTES)
                .help("Production answer bytes compared with a clone's.")
                .labelNames("clone").register(registry);
        fidelityDropped = Counter.builder()
                .name("parikshan_fidelity_dropped_comparisons_total").withoutExemplars()
                .help("Comparisons given up (reason: budget, desync, timeout, protocol, upgrade); production is never slowed for them.")
                .labelNames("clone", "reason").register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_fidelity_divergence_ratio")
                .help("Divergent / compared exchanges since the clone was added (a re-sync starts it again).")
                .labelNames("clone")
                .callback(cb -> {
                    for (LagView v : lagViews.get()) {
                        double r = v.divergenceRatio();
                        if (!Double.isNaN(r)) {
                            cb.call(r, v.cloneName());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder()
                .name("parikshan_clone_order_waits_total")
                .help("Requests held for a clone until it answered what production had answered before them on other connections (a re-sync starts it again).")
                .labelNames("clone")
                .callback(cb -> {
                    for (LagView v : lagViews.get()) {
                        cb.call(v.orderWaits(), v.cloneName());
                    }
                }).register(registry);
        CounterWithCallback.builder()
                .name("parikshan_clone_order_expired_answers_total")
                .help("Answers of production's a clone did not give within the order wait, so later requests reached it without them.")
                .labelNames("clone")
                .callback(cb -> {
                    for (LagView v : lagViews.get()) {
                        cb.call(v.orderExpired(), v.cloneName());
                    }
                }).register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_buffer_used_bytes").unit(Unit.BYTES)
                .help("Bytes held by all clone buffers together.")
                .callback(cb -> cb.call(globalBufferUsedAndLimit.get()[0])).register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_buffer_budget_bytes").unit(Unit.BYTES)
                .help("Global budget of all clone buffers together.")
                .callback(cb -> cb.call(globalBufferUsedAndLimit.get()[1])).register(registry);
    }

    public void clientToProxy(long bytes) {
        clientToProxyBytes.inc(bytes);
    }

    public void proxyToProduction(long bytes) {
        proxyToProductionBytes.inc(bytes);
    }

    public void productionToClient(long bytes) {
        productionToClientBytes.inc(bytes);
    }

    public void productionConnectFailed() {
        productionConnectFailures.inc();
    }

    public void connectionOpened() {
        activeConnections.inc();
    }

    public void connectionClosed() {
        activeConnections.dec();
    }

    /** Client connections open right now (for a graceful stop). */
    public long activeConnections() {
        return (long) activeConnections.get();
    }

    /** The fidelity counters of one clone; look up once per clone. */
    public CloneFidelityMetrics fidelityForClone(String cloneName) {
        return new CloneFidelityMetrics(cloneName, fidelityCompared.labelValues(cloneName),
                fidelityDivergent.labelValues(cloneName), fidelityNoise.labelValues(cloneName),
                fidelityComparedBytes.labelValues(cloneName), fidelityDropped);
    }

    /** The labelled data points of one clone; look up once per clone, not per byte. */
    public CloneMetrics forClone(String cloneName) {
        return clones.computeIfAbsent(cloneName, n -> new CloneMetrics(
                proxyToCloneBytes.labelValues(n),
                proxyToCloneDroppedBytes.labelValues(n),
                cloneDesyncedConnections.labelValues(n),
                cloneConnections.labelValues(n),
                cloneToProxyDiscardedBytes.labelValues(n),
                cloneActiveConnections.labelValues(n)));
    }

    /** The data points of a clone name fed or held for before (also after it was removed); empty if never. */
    public Optional<CloneMetrics> clone(String cloneName) {
        return Optional.ofNullable(clones.get(cloneName));
    }
}
