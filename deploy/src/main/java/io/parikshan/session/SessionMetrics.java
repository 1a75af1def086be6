package io.parikshan.session;

import io.parikshan.contract.Contract;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The session's own series, beside the proxy's in the same registry: clones and their age, how
 * long making a clone took and how long production was frozen for it, re-syncs by reason, and the
 * probe outcomes gathered from the clones' agents.
 */
final class SessionMetrics {

    /** A probe counter value with the clone it came from. */
    record ProbeSample(String cloneName, ProbeCounts.Key key, double value) {
    }

    /** Age of a clone fed right now. */
    record CloneAge(String cloneName, double seconds) {
    }

    private final Histogram cloneDuration;
    private final Histogram frozen;
    private final Counter resyncs;
    private final Histogram resyncDuration;
    private final Counter resyncFailures;

    SessionMetrics(PrometheusRegistry registry, Supplier<List<CloneAge>> clones, Supplier<List<ProbeSample>> probes) {
        GaugeWithCallback.builder().name("parikshan_session_clones")
                .help("Clones the proxy feeds right now.")
                .callback(cb -> cb.call(clones.get().size())).register(registry);
        GaugeWithCallback.builder().name("parikshan_clone_age_seconds").unit(Unit.SECONDS)
                .help("Time since the clone was made from production (re-sync makes a new one).")
                .labelNames("clone")
                .callback(cb -> clones.get().forEach(c -> cb.call(c.seconds(), c.cloneName()))).register(registry);
        cloneDuration = Histogram.builder().name("parikshan_clone_duration_seconds").unit(Unit.SECONDS)
                .help("Time to make a live clone, from request to the clone running.")
                .classicUpperBounds(0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60).withoutExemplars().register(registry);
        frozen = Histogram.builder().name("parikshan_clone_frozen_seconds").unit(Unit.SECONDS)
                .help("How long production's processes were frozen to make a clone.")
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10).withoutExemplars().register(registry);
        resyncs = Counter.builder().name("parikshan_resyncs_total").withoutExemplars()
                .help("Clones replaced by a fresh clone of production, by reason.")
                .labelNames("reason").register(registry);
        resyncDuration = Histogram.builder().name("parikshan_resync_duration_seconds").unit(Unit.SECONDS)
                .help("Time a re-sync took: fresh clone made, probes loaded, swapped in, old clone removed.")
                .classicUpperBounds(1, 2, 3, 5, 8, 13, 21, 34, 60, 120).withoutExemplars().register(registry);
        resyncFailures = Counter.builder().name("parikshan_resync_failures_total").withoutExemplars()
                .help("Re-syncs that could not make a new clone (the old one stays), by reason.")
                .labelNames("reason").register(registry);
        CounterWithCallback.builder().name(Contract.PROBE_INVOCATIONS_SERIES)
                .help("Probe test runs in the clones, by outcome (pass, fail, error, timeout, skipped).")
                .labelNames("clone", Contract.LABEL_SUITE, Contract.LABEL_PROBE, Contract.LABEL_OUTCOME)
                .callback(cb -> probes.get().forEach(p -> cb.call(p.value(), p.cloneName(), p.key().suite(),
                        p.key().probe(), p.key().outcome()))).register(registry);
        for (ResyncReason r : ResyncReason.values()) {
            resyncs.labelValues(r.label()); // every reason is a series from the start: rate() sees the first one
            resyncFailures.labelValues(r.label());
        }
    }

    void cloneMade(long totalMillis, long frozenMillis) {
        cloneDuration.observe(totalMillis / 1000.0);
        frozen.observe(frozenMillis / 1000.0);
    }

    /** A twin of a clone made from the same checkpoint: its time, no frozen window of its own. */
    void twinMade(long totalMillis) {
        cloneDuration.observe(totalMillis / 1000.0);
    }

    void resynced(ResyncReason reason, double seconds) {
        resyncs.labelValues(reason.label()).inc();
        resyncDuration.observe(seconds);
    }

    void resyncFailed(ResyncReason reason) {
        resyncFailures.labelValues(reason.label()).inc();
    }

    /** Re-syncs so far by reason, every reason listed. */
    Map<String, Long> resyncCounts() {
        return byReason(resyncs);
    }

    /** Re-syncs that failed so far by reason, every reason listed. */
    Map<String, Long> resyncFailureCounts() {
        return byReason(resyncFailures);
    }

    private static Map<String, Long> byReason(Counter counter) {
        Map<String, Long> m = new TreeMap<>();
        for (ResyncReason r : ResyncReason.values()) {
            m.put(r.label(), counter.labelValues(r.label()).getLongValue());
        }
        return m;
    }
}
