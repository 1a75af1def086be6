package io.parikshan.agent;

import io.parikshan.dsl.Phase;

import java.util.List;

/** The probes of one suite at one probed method, with what the hot path needs to know up front. */
final class ProbeSite {

    private final ActiveProbe[] probes;
    private final boolean atEntry;

    ProbeSite(List<ActiveProbe> probes) {
        this.probes = probes.toArray(ActiveProbe[]::new);
        this.atEntry = probes.stream().anyMatch(p -> p.firesAt(Phase.ENTRY));
    }

    ActiveProbe[] probes() {
        return probes;
    }

    boolean atEntry() {
        return atEntry;
    }

    /** Whether some probe here fires at exit or exception and has runs left. */
    boolean liveAtExit() {
        for (ActiveProbe p : probes) {
            if ((p.firesAt(Phase.EXIT) || p.firesAt(Phase.EXCEPTION)) && p.live()) {
                return true;
            }
        }
        return false;
    }
}
