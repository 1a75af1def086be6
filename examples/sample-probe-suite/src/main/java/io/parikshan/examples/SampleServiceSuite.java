package io.parikshan.examples;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the demo key-value service from inside its clone:
 * <ul>
 *   <li>every reply has a known status, and a 200 never has an empty body;</li>
 *   <li>a 404 only ever says "no such key";</li>
 *   <li>a key-value request is handled within 100 ms (sampled: one request in ten).</li>
 * </ul>
 */
public class SampleServiceSuite implements ProbeSuite {

    private static final Set<Integer> KNOWN = Set.of(200, 204, 404, 405);

    @Override
    public String name() {
        return "sample-service";
    }

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("reply")
                        .inType("SampleService").method("reply").on(Phase.ENTRY)
                        .test("status is one the API documents", ctx ->
                                assertTrue(KNOWN.contains(ctx.arg(1, Integer.class)), "status " + ctx.arg(1)))
                        .test("200 carries a body", ctx -> {
                            if (ctx.arg(1, Integer.class) == 200) {
                                assertFalse(ctx.arg(2, String.class).isEmpty(), "empty 200 reply");
                            }
                        }),
                Probe.named("not-found")
                        .inType("SampleService").method("reply").on(Phase.ENTRY)
                        .when(ctx -> ctx.arg(1, Integer.class) == 404)
                        .test("404 says no such key", ctx -> assertEquals("no such key\n", ctx.arg(2))),
                Probe.named("kv-latency")
                        .inType("SampleService").method("kv").on(Phase.EXIT)
                        .sampled(0.1)
                        .timeLimit(Duration.ofMillis(100))
                        .test("handled within 100 ms", ctx -> assertTrue(ctx.elapsed().toMillis() < 100,
                                "took " + ctx.elapsed().toMillis() + " ms")));
    }
}
