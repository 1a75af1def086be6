package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.junit.ProbeResults;
import io.parikshan.dsl.junit.ProbeSuites;
import io.parikshan.probed.FrequencySuite;
import io.parikshan.probed.PriceCalculator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@ProbeSuites(FrequencySuite.class)
class FrequencyTest {

    @Test
    void atMostLimitsRunsAndSamplingRunsAboutTheGivenFraction(ProbeResults results) {
        PriceCalculator calc = new PriceCalculator();
        for (int i = 0; i < 10; i++) {
            calc.label("x" + i);
        }
        for (int i = 0; i < 2_000; i++) {
            PriceCalculator.roundToTen(i);
        }
        assertThat(results.count("at-most-3", Outcome.PASS)).isEqualTo(3);
        // Binomial(2000, 0.5): outside [800, 1200] has probability below 1e-18.
        assertThat(results.count("half", Outcome.PASS)).isBetween(800L, 1200L);
        assertThat(results.runs("half")).allMatch(r -> r.outcome() == Outcome.PASS);
    }
}
