package io.parikshan.dsl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeBuilderTest {

    @Test
    void builderCallsReturnNewProbesAndLeaveTheOriginalUntouched() {
        Probe base = Probe.named("p").inType("com.example.Greeter");
        Probe exitOnly = base.on(Phase.EXIT).atMost(3).test("t", ctx -> { });

        assertThat(base.phases()).isEqualTo(Set.of(Phase.ENTRY, Phase.EXIT));
        assertThat(base.tests()).isEmpty();
        assertThat(base.frequency()).isEqualTo(Frequency.ALWAYS);
        assertThat(exitOnly.phases()).containsExactly(Phase.EXIT);
        assertThat(exitOnly.frequency().limit()).isEqualTo(3);
        assertThat(exitOnly.tests()).extracting(ProbeTest::name).containsExactly("t");
    }

    @Test
    void defaultsAreEntryAndExitOfEveryMethodAlwaysWithOneSecondLimit() {
        Probe p = Probe.named("p").inPackage("com.example").test("t", ctx -> { }).validate();
        assertThat(p.methods().selectsAll()).isTrue();
        assertThat(p.timeLimit()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.frequency().rate()).isEqualTo(1.0);
    }

    @Test
    void samplingAndLimitCombine() {
        Probe p = Probe.named("p").inType("x.Y").atMost(10).sampled(0.25);
        assertThat(p.frequency()).isEqualTo(new Frequency(10, 0.25));
    }

    @Test
    void probeWithoutClassesOrTestsIsRejectedWithItsName() {
        assertThatThrownBy(() -> Probe.named("lonely").test("t", ctx -> { }).validate())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'lonely' selects no classes");
        assertThatThrownBy(() -> Probe.named("idle").inType("a.B").validate())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'idle' has no tests");
    }

    @Test
    void badValuesAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> Probe.named("has space")).hasMessageContaining("'has space'");
        assertThatThrownBy(() -> Probe.named("p").sampled(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> Probe.named("p").atMost(0)).hasMessageContaining("at most 0");
        assertThatThrownBy(() -> Probe.named("p").inPackage("com.example.*")).hasMessageContaining("com.example.*");
        assertThatThrownBy(() -> Probe.named("p").timeLimit(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Probe.named("p").test("t", c -> { }).test("t", c -> { }))
                .hasMessageContaining("already has a test named 't'");
    }

    @Test
    void typeSelectorMatchesByGlobOrPackage() {
        Probe p = Probe.named("p").inType("com.example.*Handler").inPackage("org.acme");
        assertThat(p.types().selectsByName("com.example.web.GreetingHandler")).isTrue();
        assertThat(p.types().selectsByName("org.acme.deep.Thing")).isTrue();
        assertThat(p.types().selectsByName("org.acmex.Thing")).isFalse();
        assertThat(p.types().selectsByName("com.example.Greeter")).isFalse();
    }
}
