package io.parikshan.session;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/** One scrape of the session's registry, read by metric name and clone label (status, re-sync checks). */
final class MetricValues {

    private final MetricSnapshots snapshots;

    private MetricValues(MetricSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    static MetricValues scrape(PrometheusRegistry registry) {
        return new MetricValues(registry.scrape());
    }

    /** The value for the data point whose clone label is {@code clone} (unlabelled if null); 0 if absent. */
    double value(String name, String clone) {
        String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        for (MetricSnapshot s : snapshots) {
            String n = s.getMetadata().getPrometheusName();
            if (!n.equals(base) && !n.equals(name)) {
                continue;
            }
            double sum = 0;
            for (DataPointSnapshot dp : s.getDataPoints()) {
                String label = dp.getLabels().get("clone");
                if (clone == null ? label == null : clone.equals(label)) {
                    if (dp instanceof CounterSnapshot.CounterDataPointSnapshot c) {
                        sum += c.getValue();
                    } else if (dp instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
                        sum += g.getValue();
                    }
                }
            }
            return sum;
        }
        return 0;
    }
}
