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
}
