package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.metrics.CloneMetrics;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A clone as the running proxy sees it: its target, its counters and the connections that feed
 * it right now. Connections register themselves here so that the lag can be read at scrape
 * time and so that removing the clone closes them.
 */
public final class CloneRoute implements DuplicatorMetrics.LagView {

    private final CloneTarget target;
    private final CloneMetrics metrics;
    private final FidelityLedger fidelity;
    private final LongAdder lagBytes = new LongAdder();
    private final Set<CloneConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean retired;

    public CloneRoute(CloneTarget target, CloneMetrics metrics) {
        this(target, metrics, new FidelityLedger(target.name(), CompareMode.OFF, 0, null));
    }

    public CloneRoute(CloneTarget target, CloneMetrics metrics, FidelityLedger fidelity) {
        this.target = Objects.requireNonNull(target, "target");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.fidelity = Objects.requireNonNull(fidelity, "fidelity");
    }

    /** How faithfully this clone follows production (counts restart when the clone is replaced). */
    public FidelityLedger fidelity() {
        return fidelity;
    }

    @Override
    public double divergenceRatio() {
        return fidelity.divergenceRatio();
    }

    public CloneTarget target() {
        return target;
    }

    public CloneMetrics metrics() {
        return metrics;
    }

    @Override
    public String cloneName() {
        return target.name();
    }

    /** Adds to (or, negative, takes from) the bytes held for this clone. */
    public void addLag(long bytes) {
        lagBytes.add(bytes);
    }

    @Override
    public long lagBytes() {
        return lagBytes.sum();
    }

    @Override
    public double lagSeconds() {
        long now = System.nanoTime();
        long oldest = 0;
        for (CloneConnection c : connections) {
            long t = c.oldestPendingNanos();
            if (t != 0 && (oldest == 0 || t - oldest < 0)) {
                oldest = t;
            }
        }
        return oldest == 0 ? 0.0 : Math.max(0, now - oldest) / 1e9;
    }

    /** Registers a live connection; false if the clone was removed meanwhile (the caller must not feed it). */
    public boolean attach(CloneConnection c) {
        connections.add(c);
        if (retired) {
            connections.remove(c);
            return false;
        }
        return true;
    }

    public void detach(CloneConnection c) {
        connections.remove(c);
    }

    public int connectionCount() {
        return connections.size();
    }

    public boolean isRetired() {
        return retired;
    }

    /** Stops feeding this clone: new connections skip it, current ones close their clone side. */
    void retire() {
        retired = true;
        for (CloneConnection c : connections) {
            c.retire();
        }
    }
}
