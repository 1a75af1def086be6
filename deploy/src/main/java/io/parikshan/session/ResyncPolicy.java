package io.parikshan.session;

import io.parikshan.proxy.fidelity.CloneFidelity;

import java.util.Optional;

/**
 * When a clone is replaced by a fresh clone of production without being asked: it crashed, too
 * many of its connections were dropped since it joined, its answers diverge from production's
 * too often, or it reached the re-sync period; in that order. A clone whose last re-sync failed
 * is left alone for the back-off time, so a production that cannot be cloned now is not frozen
 * again every second.
 */
final class ResyncPolicy {

    /** What the policy reads of a clone, each only when a rule needs it. */
    interface Readings {
        boolean running(LiveClone c);

        /** The proxy's count of the clone's dropped connections, since its name was first fed or held for. */
        long desyncedConnections(LiveClone c);

        /** The clone's comparison record (restarted when a clone is replaced); empty when not compared. */
        Optional<CloneFidelity> fidelity(LiveClone c);
    }

    private final SessionConfig config;

    ResyncPolicy(SessionConfig config) {
        this.config = config;
    }

    /** Why {@code c} should be replaced now; empty while it is fine, already being replaced or backing off. */
    Optional<ResyncReason> reasonToResync(LiveClone c, Readings now, long nowNanos) {
        if (c.resyncPending() || backingOff(c, nowNanos)) {
            return Optional.empty();
        }
        if (!now.running(c)) {
            return Optional.of(ResyncReason.CRASHED);
        }
        if (config.resyncAfterDesyncs() > 0
                && now.desyncedConnections(c) - c.desyncedAtStart() >= config.resyncAfterDesyncs()) {
            return Optional.of(ResyncReason.DESYNCED);
        }
        if (config.resyncOnDivergence().isPresent()) {
            Optional<CloneFidelity> f = now.fidelity(c);
            if (f.isPresent() && f.get().comparedExchanges() >= SessionConfig.DIVERGENCE_MIN_EXCHANGES
                    && f.get().divergenceRatio() >= config.resyncOnDivergence().get()) {
                return Optional.of(ResyncReason.DIVERGENT);
            }
        }
        if (config.resyncEvery().isPresent() && c.age().compareTo(config.resyncEvery().get()) >= 0) {
            return Optional.of(ResyncReason.PERIODIC);
        }
        return Optional.empty();
    }

    private boolean backingOff(LiveClone c, long nowNanos) {
        return c.lastFailedResyncNanos() != 0 && nowNanos - c.lastFailedResyncNanos() < config.resyncBackoff().toNanos();
    }
}
