package io.parikshan.session;

import io.parikshan.proxy.Duplicator;
import io.parikshan.proxy.HeldClone;

/**
 * A clone being made, from the session's side: from the moment production is frozen for its
 * checkpoint the proxy holds the connections opened since for it, and once the clone runs (with
 * its suites loaded) it {@link #join}s with them, so it starts in step with production; or it
 * never comes and is {@link #cancel}led.
 */
final class JoiningClone {

    private final String name;
    private final Duplicator proxy;
    private final SessionListener listener;
    /** What the proxy holds for the clone; null until production is frozen, or if holding failed. */
    private volatile HeldClone held;
    private volatile LiveClone made;

    JoiningClone(String name, Duplicator proxy, SessionListener listener) {
        this.name = name;
        this.proxy = proxy;
        this.listener = listener;
    }

    String name() {
        return name;
    }

    /** Production is frozen for the clone's checkpoint: hold what comes from now on. */
    void productionFrozen() {
        try {
            held = proxy.hold(name);
        } catch (RuntimeException e) { // inside production's frozen window: tell, and go on
            listener.holdFailed(name, String.valueOf(e.getMessage()));
        }
    }

    /** The clone runs and its suites are loaded. */
    void made(LiveClone c) {
        made = c;
    }

    /** The clone once it runs with its suites loaded; null before. */
    LiveClone running() {
        return made;
    }

    /**
     * Feeds the clone from now on, replacing {@code replacing} if not null; first with the
     * connections held for it, if any.
     */
    void join(String replacing) {
        LiveClone c = made;
        if (c == null) {
            throw new IllegalStateException("clone " + name + " cannot join before it runs");
        }
        HeldClone h = held;
        if (h != null) {
            h.start(c.target(), replacing);
        } else if (replacing != null) {
            proxy.replaceClone(replacing, c.target());
        } else {
            proxy.addClone(c.target());
        }
    }

    /** The clone will not join: what was held for it is dropped. */
    void cancel() {
        HeldClone h = held;
        if (h != null) {
            h.cancel();
        }
    }
}
