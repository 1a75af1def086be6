package io.parikshan.proxy;

import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The clones a proxy feeds, changeable while traffic flows. Readers get an immutable snapshot
 * (one volatile read per client connection); writers copy on write. A connection is fed by
 * the clones present when it opened: a clone added later only sees later connections, so no
 * clone ever gets a stream that starts in the middle.
 */
public final class CloneRoutes {

    private final DuplicatorMetrics metrics;
    private final FidelityConfig fidelity;
    private volatile List<CloneRoute> routes = List.of();

    public CloneRoutes(DuplicatorMetrics metrics) {
        this(metrics, FidelityConfig.OFF);
    }

    public CloneRoutes(DuplicatorMetrics metrics, FidelityConfig fidelity) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.fidelity = Objects.requireNonNull(fidelity, "fidelity");
    }

    private CloneRoute route(CloneTarget target) {
        String name = target.name();
        return new CloneRoute(target, metrics.forClone(name), ledger(name));
    }

    private FidelityLedger ledger(String name) {
        return new FidelityLedger(name, fidelity.mode(), fidelity.divergenceLogSize(),
                fidelity.enabled() ? metrics.fidelityForClone(name) : null);
    }

    public List<CloneRoute> current() {
        return routes;
    }

    /** The clones fed now (clones still being made are not among them). */
    public List<CloneTarget> targets() {
        return routes.stream().map(CloneRoute::target).filter(java.util.Objects::nonNull).toList();
    }

    public synchronized void add(CloneTarget target) {
        Objects.requireNonNull(target, "clone target");
        requireFree(target.name());
        List<CloneRoute> next = new ArrayList<>(routes);
        next.add(route(target));
        routes = List.copyOf(next);
    }

    /**
     * Starts holding connections (or datagram sessions) for a clone that is being made (named as
     * it will be): each one opened from now on keeps its bytes for it, within the budgets, until
     * {@link HeldClone#start} gives its address, or lets them go uncounted on {@link HeldClone#cancel}.
     */
    public HeldClone hold(String name) {
        synchronized (this) {
            requireFree(name);
            List<CloneRoute> next = new ArrayList<>(routes);
            next.add(CloneRoute.pending(name, metrics.forClone(name), ledger(name)));
            routes = List.copyOf(next);
        }
        return new HeldClone() {
            private boolean over;

            @Override
            public synchronized void start(CloneTarget running, String replacing) {
                if (over) {
                    throw new IllegalStateException("the clone held for as '" + name + "' was already started or cancelled");
                }
                over = true;
                CloneRoute route = find(running.name()).filter(CloneRoute::isPending).orElseThrow(() ->
                        new IllegalArgumentException("no clone named '" + running.name() + "' is being held for"));
                route.start(running);
                if (replacing != null) {
                    remove(replacing);
                }
            }

            @Override
            public synchronized void cancel() {
                if (!over) {
                    over = true;
                    remove(name);
                }
            }
        };
    }

    /** Removes a clone and closes its connections; false if no clone has that name. */
    public synchronized boolean remove(String name) {
        Optional<CloneRoute> route = find(name);
        if (route.isEmpty()) {
            return false;
        }
        List<CloneRoute> next = new ArrayList<>(routes);
        next.remove(route.get());
        routes = List.copyOf(next);
        route.get().retire();
        return true;
    }

    /**
     * Swaps one clone for another in one step (re-sync): connections opened from now on feed the
     * replacement; connections feeding the old clone are closed on the clone side only.
     */
    public synchronized void replace(String oldName, CloneTarget replacement) {
        Objects.requireNonNull(replacement, "replacement clone");
        CloneRoute old = find(oldName).orElseThrow(() ->
                new IllegalArgumentException("no clone named '" + oldName + "' to replace; known: " + targets()));
        if (!replacement.name().equals(oldName) && find(replacement.name()).isPresent()) {
            throw new IllegalArgumentException("a clone named '" + replacement.name() + "' is already fed");
        }
        List<CloneRoute> next = new ArrayList<>(routes);
        next.set(next.indexOf(old), route(replacement));
        routes = List.copyOf(next);
        old.retire();
    }

    private void requireFree(String name) {
        if (find(name).isPresent()) {
            throw new IllegalArgumentException("a clone named '" + name + "' is already fed; remove it first or pick another name");
        }
    }

    /** Retires every clone (proxy shutdown). */
    public synchronized void clear() {
        List<CloneRoute> old = routes;
        routes = List.of();
        old.forEach(CloneRoute::retire);
    }

    /**
     * The numbers of one clone: its counters (kept for a name after it is removed, as its series
     * are) and, while it is fed or held for, its lag; empty for a name never fed nor held for.
     */
    public Optional<CloneStats> stats(String name) {
        return metrics.clone(name).map(m -> {
            long lagBytes = 0;
            double lagSeconds = 0;
            for (CloneRoute r : routes) { // the lag gauges' sum, as a scrape of the name would show it
                if (r.cloneName().equals(name)) {
                    lagBytes += r.lagBytes();
                    lagSeconds += r.lagSeconds();
                }
            }
            return new CloneStats(name, m.activeConnections(), lagBytes, lagSeconds, m.desyncedConnections(),
                    m.sentBytes(), m.droppedBytes());
        });
    }

    private Optional<CloneRoute> find(String name) {
        return routes.stream().filter(r -> r.cloneName().equals(name)).findFirst();
    }
}
