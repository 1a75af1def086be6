package io.parikshan.proxy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the TCP and UDP duplicators share: the clones they feed are a {@link CloneRoutes}, and
 * every change of clones while traffic flows is a change of it.
 */
public abstract class RoutedDuplicator implements Duplicator {

    /** The clones fed, held for, or fed before; read once per new connection or session. */
    protected final CloneRoutes routes;

    protected RoutedDuplicator(CloneRoutes routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    /** Starts feeding a clone; it sees connections (or sessions) opened from now on. */
    @Override
    public final void addClone(CloneTarget clone) {
        routes.add(clone);
    }

    /** Stops feeding a clone and closes its connections (production's stay). */
    @Override
    public final boolean removeClone(String name) {
        return routes.remove(name);
    }

    /** Swaps a clone for a fresh one (re-sync): new connections go to the replacement, the old one's are closed. */
    @Override
    public final void replaceClone(String oldName, CloneTarget replacement) {
        routes.replace(oldName, replacement);
    }

    /** Holds connections (or sessions) opened from now on for a clone being made; see {@link HeldClone}. */
    @Override
    public final HeldClone hold(String name) {
        return routes.hold(name);
    }

    @Override
    public final List<CloneTarget> clones() {
        return routes.targets();
    }

    @Override
    public final Optional<CloneStats> cloneStats(String name) {
        return routes.stats(name);
    }
}
