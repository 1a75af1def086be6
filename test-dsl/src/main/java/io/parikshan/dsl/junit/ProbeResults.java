package io.parikshan.dsl.junit;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.ProbeRun;

import java.util.List;
import java.util.function.LongFunction;

/** The probe runs recorded since the suites were loaded, for assertions in a JUnit test. */
public final class ProbeResults {

    private final LongFunction<List<ProbeRun>> source;

    ProbeResults(LongFunction<List<ProbeRun>> source) {
        this.source = source;
    }

    /** All runs so far, after waiting up to 2 s for runs still in flight. */
    public List<ProbeRun> runs() {
        return source.apply(2_000);
    }

    public List<ProbeRun> runs(String probe) {
        return runs().stream().filter(r -> r.probe().equals(probe)).toList();
    }

    public long count(String probe, Outcome outcome) {
        return runs(probe).stream().filter(r -> r.outcome() == outcome).count();
    }
}
