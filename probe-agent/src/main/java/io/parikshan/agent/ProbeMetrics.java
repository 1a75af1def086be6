package io.parikshan.agent;

import io.parikshan.contract.Contract;
import io.parikshan.dsl.ProbeRun;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Collection;
import java.util.function.Supplier;

/** The agent's Prometheus metrics; labels are suite and probe names (few) and outcomes. */
final class ProbeMetrics {

    private final Counter invocations;
    private final Histogram duration;

    ProbeMetrics(PrometheusRegistry registry, Supplier<Collection<LoadedSuite>> suites) {
        invocations = Counter.builder()
                .name(Contract.PROBE_INVOCATIONS_SERIES)
                .help("Probe test runs, by outcome (pass, fail, error, timeout, skipped)")
                .labelNames(Contract.LABEL_SUITE, Contract.LABEL_PROBE, Contract.LABEL_OUTCOME)
                .withoutExemplars()
                .register(registry);
        // Hits are counted on the application thread: a LongAdder per probe, read at scrape time.
        CounterWithCallback.builder()
                .name("parikshan_probe_hits_total")
                .help("Probe point hits considered after sampling and limits, before the condition")
                .labelNames("suite", "probe")
                .callback(cb -> suites.get().forEach(s -> s.probes().forEach(p -> cb.call(p.hits(), s.name(), p.name()))))
                .register(registry);
        duration = Histogram.builder()
                .name("parikshan_probe_test_duration_seconds")
                .help("Duration of probe test runs")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.0001, 0.001, 0.01, 0.1, 1, 10)
                .labelNames("suite", "probe")
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_probe_instrumented_methods")
                .help("Methods currently carrying a suite's probe advice")
                .labelNames("suite")
                .callback(cb -> suites.get().forEach(s -> cb.call(s.instrumentedMethods(), s.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("parikshan_probe_suites_loaded")
                .help("Probe suites currently loaded")
                .callback(cb -> cb.call(suites.get().size()))
                .register(registry);
    }

    void run(ProbeRun r) {
        invocations.labelValues(r.suite(), r.probe(), r.outcome().label()).inc();
        duration.labelValues(r.suite(), r.probe()).observe(r.durationNanos() / 1e9);
    }
}
