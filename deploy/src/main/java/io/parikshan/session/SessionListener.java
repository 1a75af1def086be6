package io.parikshan.session;

import io.parikshan.clone.ClonePhase;
import io.parikshan.clone.CloneReport;
import io.parikshan.proxy.HostPort;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a running session tells whoever follows it (the foreground {@code parikshan clone} prints
 * it), as {@link io.parikshan.clone.CloneProgress} does for one clone. Called from the session's
 * own threads; every method does nothing by default.
 */
public interface SessionListener {

    /** A listener that ignores everything. */
    SessionListener NONE = new SessionListener() {
    };

    /** The session has found production's endpoint and starts. */
    default void starting(ProductionEndpoint endpoint) {
    }

    /** New connections (or UDP flows) to production's published address now go through the proxy. */
    default void clientsMoved(HostPort published, HostPort proxy, boolean udp) {
    }

    /** No port is taken over: clients use the proxy's own address. */
    default void proxyListening(HostPort proxy) {
    }

    /** A clone of production is being made; {@code what} says for which slot, e.g. "clone 1/2". */
    default void makingClone(String what, String production) {
    }

    /** One phase of making a clone has finished. */
    default void clonePhase(ClonePhase phase, Duration took, String detail) {
    }

    /**
     * The proxy could not hold new connections for a clone being made: it will join without the
     * connections opened during its restore. Called inside production's frozen window: return at once.
     */
    default void holdFailed(String clone, String why) {
    }

    /** A clone runs (its suites not loaded yet). */
    default void cloneRunning(CloneReport report) {
    }

    /** A probe suite was loaded into a clone. */
    default void suiteLoaded(Path suite, String clone) {
    }

    /** Every clone runs and is fed; the control endpoint is at {@code controlUrl}. */
    default void running(String controlUrl) {
    }

    default void resyncStarted(String clone, ResyncReason reason) {
    }

    /** A re-sync could not make a fresh clone; the old one stays. */
    default void resyncFailed(String clone, String why) {
    }

    /** {@code old} was replaced by {@code fresh}; the whole re-sync took {@code millis}. */
    default void resynced(String old, CloneReport fresh, long millis, ResyncReason reason) {
    }

    /** The pair took what was held for it: its answers are judged three ways from now on. */
    default void candidateJudged(String control, String candidate) {
    }

    /** The candidate clone's loaded classes were redefined from the patch jar. */
    default void candidatePatched(java.nio.file.Path jar, String clone, java.util.List<String> classes) {
    }

    /** The once-a-second check of the clones failed; it runs again in a second. */
    default void cloneCheckFailed(String why) {
    }

    /** The periodic status (every {@code --status-every}). */
    default void status(SessionStatus status) {
    }

    /** Client connections were still open when the drain time ran out and were closed. */
    default void drainCutOff(Duration drain) {
    }

    /** The session has ended; {@code problems} lists the teardown steps that failed. */
    default void ended(List<String> problems) {
    }
}
