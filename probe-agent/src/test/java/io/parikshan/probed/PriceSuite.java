package io.parikshan.probed;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Probes on {@link PriceCalculator}: one always passes, one fails for quantity 13, one watches exceptions. */
public class PriceSuite implements ProbeSuite {

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("total-is-product")
                        .inType("io.parikshan.probed.PriceCalculator").method("total").on(Phase.EXIT)
                        .test("total equals unit times quantity", ctx -> assertEquals(
                                ctx.arg(0, Long.class) * ctx.arg(1, Integer.class), ctx.returnValue(Long.class))),
                Probe.named("unlucky-quantity")
                        .inType("io.parikshan.probed.PriceCalculator").method("total").on(Phase.ENTRY)
                        .when(ctx -> ctx.arg(1, Integer.class) == 13)
                        .test("quantity is not 13", ctx -> assertTrue(ctx.arg(1, Integer.class) != 13,
                                "quantity 13 seen")),
                Probe.named("rejects-negative")
                        .inPackage("io.parikshan.probed").method("total").on(Phase.EXCEPTION)
                        .test("throws IllegalArgumentException", ctx -> assertTrue(
                                ctx.thrown().orElseThrow() instanceof IllegalArgumentException)));
    }
}
