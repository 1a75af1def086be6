package io.parikshan.proxy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Reads one value out of a registry, as a scrape would see it. */
public final class Scrape {

    private Scrape() {
    }

    /** The value of {@code name} (with or without {@code _total}) for the data point whose clone label is {@code clone} (or unlabelled if null); 0 if absent. */
    public static double value(PrometheusRegistry registry, String name, String clone) {
        String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getPrometheusName().equals(base)
                    && !snapshot.getMetadata().getPrometheusName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot dp : snapshot.getDataPoints()) {
                String label = dp.getLabels().get("clone");
                if (clone == null ? label == null : clone.equals(label)) {
                    if (dp instanceof CounterSnapshot.CounterDataPointSnapshot c) {
                        return c.getValue();
                    }
                    if (dp instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
                        return g.getValue();
                    }
                }
            }
        }
        return 0;
    }
}
