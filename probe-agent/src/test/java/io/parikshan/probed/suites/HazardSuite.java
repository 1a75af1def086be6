package io.parikshan.probed.suites;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Badly behaved tests: they throw, hang past their limit, allocate past the heap, and a condition throws. */
public class HazardSuite implements ProbeSuite {

    @Override
    public String name() {
        return "hazards";
    }

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("thrower").inType("io.parikshan.probed.server.Greeter").method("greet").on(Phase.ENTRY)
                        .test("throws", ctx -> {
                            throw new IllegalStateException("boom from a probe test");
                        }),
                Probe.named("hanger").inType("io.parikshan.probed.server.Greeter").method("greet").on(Phase.ENTRY)
                        .timeLimit(Duration.ofMillis(200))
                        .test("sleeps a minute", ctx -> Thread.sleep(60_000)),
                Probe.named("hog").inType("io.parikshan.probed.server.Greeter").method("greet").on(Phase.EXIT)
                        .atMost(2).timeLimit(Duration.ofSeconds(20))
                        .test("allocates past the heap", ctx -> {
                            List<long[]> kept = new ArrayList<>();
                            for (int i = 0; i < 64; i++) {
                                kept.add(new long[1 << 20]); // 8 MiB each, 512 MiB in all: past -Xmx
                            }
                            throw new AssertionError("allocated " + kept.size() + " chunks");
                        }),
                Probe.named("bad-condition").inType("io.parikshan.probed.server.Greeter").method("greet")
                        .on(Phase.ENTRY)
                        .when(ctx -> ctx.arg(5) != null)
                        .test("never runs", ctx -> { }));
    }
}
