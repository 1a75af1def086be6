package io.parikshan.session;

import java.util.Locale;

/** Why a clone was replaced by a fresh clone of production (paper: synchronisation for long running tests). */
public enum ResyncReason {
    /** {@code parikshan sync}, or the control endpoint's POST /sync. */
    MANUAL,
    /** The clone reached the session's re-sync period. */
    PERIODIC,
    /** Too many of the clone's connections were dropped: overflowed budgets, refused or unreachable clone. */
    DESYNCED,
    /** The clone's container is no longer running. */
    CRASHED,
    /** The clone's answers diverged from production's too often. */
    DIVERGENT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
