package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.ProbeRun;
import io.parikshan.dsl.junit.ProbeResults;
import io.parikshan.dsl.junit.ProbeSuites;
import io.parikshan.probed.PriceCalculator;
import io.parikshan.probed.PriceSuite;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JUnit extension path: suites run against this JVM's own code. */
@ProbeSuites(value = PriceSuite.class, failOnProbeFailure = false)
class LocalRuntimeTest {

    private final PriceCalculator calculator = new PriceCalculator();

    @Test
    void passingFailingAndExceptionProbesAreRecordedWithContext(ProbeResults results) {
        assertThat(calculator.total(250, 4)).isEqualTo(1000);
        assertThat(calculator.total(100, 13)).isEqualTo(1300);
        assertThatThrownBy(() -> calculator.total(1, -1)).isInstanceOf(IllegalArgumentException.class);

        assertThat(results.count("total-is-product", Outcome.PASS)).isEqualTo(2);
        assertThat(results.count("unlucky-quantity", Outcome.FAIL)).isEqualTo(1);
        assertThat(results.count("unlucky-quantity", Outcome.PASS)).isZero();
        assertThat(results.count("rejects-negative", Outcome.PASS)).isEqualTo(1);
        ProbeRun failed = results.runs("unlucky-quantity").get(0);
        assertThat(failed.message()).contains("quantity 13 seen");
        assertThat(failed.context()).contains("PriceCalculator.total(100, 13)");
        // Methods the probes do not select are not probed.
        assertThat(calculator.label("tea")).isEqualTo("TEA");
        assertThat(results.runs()).allMatch(r -> r.context().contains(".total("));
    }
}
