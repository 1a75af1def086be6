package io.parikshan.proxy.fidelity;

/** How one clone's answer to one exchange compares with production's. */
public enum Verdict {
    /** The same, after the noise rules. */
    EQUAL,
    /** Different, and (with several clones) the clones agree on the difference: counts against fidelity. */
    DIVERGENT,
    /** Different from production only where the clones also differ from each other: nondeterminism, not divergence. */
    NOISE
}
