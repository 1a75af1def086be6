package io.parikshan.proxy.fidelity;

import java.util.Locale;

/** Why a comparison was given up (the {@code reason} label of the dropped-comparisons counter). */
public enum DropReason {
    /** Holding production's answer (or the clone's) for comparison would exceed the clone budgets. */
    BUDGET,
    /** The clone connection was dropped (could not keep up, failed, refused): its answers are incomplete. */
    DESYNC,
    /** The clone had not answered when the client's connection had ended and the drain timeout passed. */
    TIMEOUT,
    /** The traffic claimed to be HTTP but could not be parsed (production's answers or the client's requests). */
    PROTOCOL,
    /** The connection switched protocols (101, CONNECT): what follows is not compared. */
    UPGRADE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
