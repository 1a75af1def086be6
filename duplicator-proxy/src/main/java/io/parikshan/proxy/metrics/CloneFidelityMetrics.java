package io.parikshan.proxy.metrics;

import io.parikshan.proxy.fidelity.DropReason;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.fidelity.Verdict;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

import java.util.EnumMap;
import java.util.Map;

/** The fidelity counters of one clone. Thread-safe. */
public final class CloneFidelityMetrics implements FidelityLedger.Sink {

    private final CounterDataPoint compared;
    private final CounterDataPoint divergent;
    private final CounterDataPoint noise;
    private final CounterDataPoint comparedBytes;
    private final Map<DropReason, CounterDataPoint> dropped = new EnumMap<>(DropReason.class);

    CloneFidelityMetrics(String clone, CounterDataPoint compared, CounterDataPoint divergent, CounterDataPoint noise,
                         CounterDataPoint comparedBytes, Counter droppedFamily) {
        this.compared = compared;
        this.divergent = divergent;
        this.noise = noise;
        this.comparedBytes = comparedBytes;
        for (DropReason r : DropReason.values()) {
            dropped.put(r, droppedFamily.labelValues(clone, r.label()));
        }
    }

    @Override
    public void judged(Verdict verdict, long bytes) {
        compared.inc();
        if (bytes > 0) {
            comparedBytes.inc(bytes);
        }
        if (verdict == Verdict.DIVERGENT) {
            divergent.inc();
        } else if (verdict == Verdict.NOISE) {
            noise.inc();
        }
    }

    @Override
    public void dropped(DropReason reason) {
        dropped.get(reason).inc();
    }
}
