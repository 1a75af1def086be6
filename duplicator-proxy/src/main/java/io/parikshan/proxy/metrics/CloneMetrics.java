package io.parikshan.proxy.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;

/** The counters of one clone. Thread-safe; cheap enough to call per read. */
public final class CloneMetrics {

    private final CounterDataPoint sentBytes;
    private final CounterDataPoint droppedBytes;
    private final CounterDataPoint desynced;
    private final CounterDataPoint opened;
    private final CounterDataPoint discardedBytes;
    private final GaugeDataPoint active;

    CloneMetrics(CounterDataPoint sentBytes, CounterDataPoint droppedBytes, CounterDataPoint desynced,
                 CounterDataPoint opened, CounterDataPoint discardedBytes, GaugeDataPoint active) {
        this.sentBytes = sentBytes;
        this.droppedBytes = droppedBytes;
        this.desynced = desynced;
        this.opened = opened;
        this.discardedBytes = discardedBytes;
        this.active = active;
    }

    public void sent(long bytes) {
        sentBytes.inc(bytes);
    }

    public void dropped(long bytes) {
        if (bytes > 0) {
            droppedBytes.inc(bytes);
        }
    }

    public void desynced() {
        desynced.inc();
    }

    public void opened() {
        opened.inc();
        active.inc();
    }

    public void closed() {
        active.dec();
    }

    public void discarded(long bytes) {
        discardedBytes.inc(bytes);
    }

    /** Client bytes written to the clone so far. */
    public long sentBytes() {
        return sentBytes.getLongValue();
    }

    /** Client bytes the clone never got so far. */
    public long droppedBytes() {
        return droppedBytes.getLongValue();
    }

    /** Clone connections closed early so far. */
    public long desyncedConnections() {
        return desynced.getLongValue();
    }

    /** Clone connections open now. */
    public long activeConnections() {
        return Math.round(active.get());
    }
}
