package io.parikshan.dsl;

import java.time.Instant;
import java.util.Objects;

/**
 * The record of one run of one probe test.
 *
 * @param context a short human-readable summary of the probe point's context (method, arguments...)
 */
public record ProbeRun(String suite, String probe, String test, Phase phase, Outcome outcome,
                       String message, long durationNanos, String context, Instant at) {

    public ProbeRun {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(outcome, "outcome");
        message = message == null ? "" : message;
        context = context == null ? "" : context;
        Objects.requireNonNull(at, "at");
        if (durationNanos < 0) {
            throw new IllegalArgumentException("duration " + durationNanos + " ns is negative");
        }
    }

    public boolean failed() {
        return outcome != Outcome.PASS && outcome != Outcome.SKIPPED;
    }

    @Override
    public String toString() {
        return suite + "/" + probe + "/" + test + " [" + phase + "] " + outcome.label()
                + (message.isEmpty() ? "" : ": " + message) + (context.isEmpty() ? "" : " @ " + context);
    }
}
