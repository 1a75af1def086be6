package io.parikshan.agent;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;
import io.parikshan.dsl.junit.ProbeSuites;
import io.parikshan.probed.PriceCalculator;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** The JUnit extension fails exactly the developer test during which a probe test failed. */
class ProbeSuiteExtensionTest {

    /** Fails when a label is asked for "tea" (a deliberate bug report). */
    public static class LabelSuite implements ProbeSuite {
        @Override
        public List<Probe> probes() {
            return List.of(Probe.named("label").inType(PriceCalculator.class).method("label").on(Phase.EXIT)
                    .test("labels are not TEA", ctx -> assertEquals(false, "TEA".equals(ctx.returnValue()),
                            "label TEA produced")));
        }
    }

    /** Run through the test kit only (nested classes are not picked up by Surefire). */
    @ProbeSuites(LabelSuite.class)
    static class DeveloperTests {
        @Test
        void coffeeIsFine() {
            assertThat(new PriceCalculator().label("coffee")).isEqualTo("COFFEE");
        }

        @Test
        void teaTripsTheProbe() {
            assertThat(new PriceCalculator().label("tea")).isEqualTo("TEA");
        }
    }

    @Test
    void aFailingProbeRunFailsTheTestDuringWhichItRan() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeveloperTests.class))
                .execute().testEvents();
        tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        tests.failed().assertThatEvents().haveExactly(1, finishedWithFailure(message(m ->
                m.contains("1 probe run(s) failed") && m.contains("label TEA produced"))));
    }
}
