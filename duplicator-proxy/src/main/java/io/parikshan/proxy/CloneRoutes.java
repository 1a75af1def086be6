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
        FidelityLedger ledger = new FidelityLedger(name, fidelity.mode(), fidelity.divergenceLogSize(),
                fidelity.enabled() ? metrics.fidelityForClone(name) : null);
        return new CloneRoute(target, metrics.forClone(name), ledger);
    }

    public List<CloneRoute> current() {
        return routes;
    }

    public List<CloneTarget> targets() {
        return routes.stream().map(CloneRoute::target).toList();
    }

    public synchronized void add(CloneTarget target) {
        Objects.requireNonNull(target, "clone target");
        if (find(target.name()).isPresent()) {
            throw new IllegalArgumentException("a clone named '" + target.name() + "' is already fed; remove it first or pick another name");
        }
        List<CloneRoute> next = new ArrayList<>(routes);
        next.add(route(target));
        routes = List.copyOf(next);
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

    /** Retires every clone (proxy shutdown). */
    public synchronized void clear() {
        List<CloneRoute> old = routes;
        routes = List.of();
        old.forEach(CloneRoute::retire);
    }

    private Optional<CloneRoute> find(String name) {
        return routes.stream().filter(r -> r.target().name().equals(name)).findFirst();
    }
}
