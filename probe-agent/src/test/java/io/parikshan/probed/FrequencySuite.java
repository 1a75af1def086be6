package io.parikshan.probed;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Limits, sampling and static methods. */
public class FrequencySuite implements ProbeSuite {

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("at-most-3").inType(PriceCalculator.class).method("label").on(Phase.ENTRY).atMost(3)
                        .test("runs", ctx -> { }),
                Probe.named("half").inType(PriceCalculator.class).method("roundToTen").on(Phase.EXIT).sampled(0.5)
                        .test("static: no receiver, rounded result", ctx -> {
                            assertNull(ctx.receiver());
                            assertEquals(0L, ctx.returnValue(Long.class) % 10);
                        }));
    }
}
