package io.parikshan.probed.bench;

import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Probes for the dispatch benchmark: entry and exit of add(), tests that never (or no longer) run. */
public class DispatchSuite implements ProbeSuite {

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("condition-false").inType(ProbedCalculator.class).method("add")
                        .when(ctx -> ctx.arg(0, Integer.class) < 0)
                        .test("never runs", ctx -> assertTrue(false)),
                Probe.named("limit-exhausted").inType(ExhaustedCalculator.class).method("add")
                        .atMost(1)
                        .test("runs once", ctx -> assertTrue(ctx.argCount() == 2)),
                Probe.named("matches-nothing").inPackage("io.parikshan.nowhere")
                        .test("never runs", ctx -> assertTrue(false)));
    }
}
