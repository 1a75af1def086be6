package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.metrics.CloneMetrics;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A clone as the running proxy sees it: its target, its counters and the connections that feed
 * it right now. Connections register themselves here so that the lag can be read at scrape
 * time and so that removing the clone closes them.
 *
 * <p>A route can be made for a clone that is still being made ({@link #pending}): connections
 * opened meanwhile hold their bytes for it, within the budgets, until {@link #start} gives its
 * address; so a clone restored from a checkpoint also gets the connections opened after the
 * checkpoint, and starts in step with production.
 */
public final class CloneRoute implements DuplicatorMetrics.LagView {

    private final String name;
    /** Completed with the clone's address once it runs; never completed if it is retired first. */
    private final CompletableFuture<CloneTarget> target = new CompletableFuture<>();
    private final CloneMetrics metrics;
    private final FidelityLedger fidelity;
    private final LongAdder lagBytes = new LongAdder();
    private final Set<CloneConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean retired;

    public CloneRoute(CloneTarget target, CloneMetrics metrics) {
        this(target, metrics, new FidelityLedger(target.name(), CompareMode.OFF, 0, null));
    }

    public CloneRoute(CloneTarget target, CloneMetrics metrics, FidelityLedger fidelity) {
        this(Objects.requireNonNull(target, "target").name(), metrics, fidelity);
        this.target.complete(target);
    }

    private CloneRoute(String name, CloneMetrics metrics, FidelityLedger fidelity) {
        this.name = Objects.requireNonNull(name, "clone name");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.fidelity = Objects.requireNonNull(fidelity, "fidelity");
    }

    /** A route for a clone still being made: its connections wait for {@link #start}. */
    public static CloneRoute pending(String name, CloneMetrics metrics, FidelityLedger fidelity) {
        return new CloneRoute(name, metrics, fidelity);
    }

    /** The clone now runs at {@code running}'s address: the connections waiting for it connect. */
    void start(CloneTarget running) {
        if (!running.name().equals(name)) {
            throw new IllegalArgumentException("clone '" + running.name() + "' cannot start the route held for '" + name + "'");
        }
        if (!target.complete(running)) {
            throw new IllegalStateException("clone '" + name + "' has already started or was removed");
        }
    }

    /** True while the clone is still being made. */
    public boolean isPending() {
        return !target.isDone();
    }

    /**
     * Runs {@code action} with the clone's target once it runs: at once (in this thread) if it
     * runs already, else in the thread that starts it. Never runs if the clone is removed first.
     */
    public void whenRunning(Consumer<CloneTarget> action) {
        target.thenAccept(action);
    }

    /** How faithfully this clone follows production (counts restart when the clone is replaced). */
    public FidelityLedger fidelity() {
        return fidelity;
    }

    @Override
    public double divergenceRatio() {
        return fidelity.divergenceRatio();
    }

    /** The clone's name and address; null while the clone is still being made. */
    public CloneTarget target() {
        return target.getNow(null);
    }

    public CloneMetrics metrics() {
        return metrics;
    }

    @Override
    public String cloneName() {
        return name;
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
        target.cancel(false); // connections still waiting for a clone being made never connect
        for (CloneConnection c : connections) {
            c.retire();
        }
    }
}
