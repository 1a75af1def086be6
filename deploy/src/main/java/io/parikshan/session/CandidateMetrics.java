package io.parikshan.session;

import io.parikshan.proxy.fidelity.CandidateTrial;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The series of a patch on trial: exchanges the patch changed, by endpoint (method and path
 * template, so the label stays low-cardinality), read from the trial at scrape time. Every
 * endpoint judged is a series, 0 where the patch changed nothing.
 */
final class CandidateMetrics {

    static final String CHANGES = "parikshan_candidate_changes_total";
    static final String COMPARED = "parikshan_candidate_compared_exchanges_total";

    private CandidateMetrics() {
    }

    static void register(PrometheusRegistry registry, CandidateTrial trial) {
        CounterWithCallback.builder().name(CHANGES)
                .help("Exchanges whose answer the candidate patch changed (the candidate differs from production where "
                        + "the unpatched control agrees with production), by endpoint.")
                .labelNames("endpoint")
                .callback(cb -> trial.snapshot().endpoints().forEach(e -> cb.call(e.changed(), e.endpoint())))
                .register(registry);
        CounterWithCallback.builder().name(COMPARED)
                .help("Exchanges judged three ways (production, control, candidate), by endpoint.")
                .labelNames("endpoint")
                .callback(cb -> trial.snapshot().endpoints().forEach(e -> cb.call(e.compared(), e.endpoint())))
                .register(registry);
    }
}
