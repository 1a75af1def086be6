package io.parikshan.proxy;

import java.util.Locale;

/** How production and the clones are kept in step (paper section 4.3). */
public enum DuplicationStrategy {
    /**
     * The default: production is a plain pull-based proxy; each clone connection drains its own
     * bounded buffer at its own pace and is dropped (counted as desynced) when it falls too far behind.
     */
    ASYNC,
    /**
     * Fidelity first: the client's next bytes go to production only after every clone accepted the
     * previous ones. A slow clone SLOWS PRODUCTION in this mode; use it only for testing runs. A clone
     * that takes nothing for the clone drain timeout is dropped (desynced) so production goes on.
     */
    SYNC;

    public static DuplicationStrategy parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing strategy; use async or sync");
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "async", "asynchronous" -> ASYNC;
            case "sync", "synchronized" -> SYNC;
            default -> throw new IllegalArgumentException("unknown strategy '" + text + "'; use async or sync");
        };
    }
}
