package io.parikshan.clone;

import java.time.Duration;

/** Hears about each phase of a clone as it happens, for a live progress display. */
public interface CloneProgress {

    CloneProgress SILENT = new CloneProgress() {
    };

    default void started(ClonePhase phase) {
    }

    default void finished(ClonePhase phase, Duration took, String detail) {
    }

    /**
     * Production has just been frozen for the dump: the clone will hold production's state as of
     * this moment, and whatever production does from now on is missing from it. Called inside
     * the frozen window, so it must return at once (a proxy uses it to start holding the client
     * connections opened from now on for the clone, which replays them once it runs).
     */
    default void productionFrozen() {
    }
}
