package io.parikshan.examples;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeContext;
import io.parikshan.dsl.ProbeSuite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the demo key-value service from inside its clone:
 * <ul>
 *   <li>{@code kv-read}: every value a GET serves is the value the store holds under exactly that
 *       key. This is the probe that catches the service's latent bug (a read cache keyed by the
 *       lower-cased key in front of a case-sensitive store): after {@code PUT /kv/User42} and
 *       {@code GET /kv/User42}, {@code GET /kv/user42} fails it with
 *       "GET user42 served 'alice' but the store has no such key (keys differing only in case: User42)";</li>
 *   <li>every reply has a known status, and a 200 never has an empty body;</li>
 *   <li>a 404 only ever says "no such key";</li>
 *   <li>a key-value request is handled within 500 ms (sampled: one request in ten).</li>
 * </ul>
 * The service is a single-file program in the default package, so its classes are named by string
 * and the store's own {@code stored(key)} is called on the live receiver ({@code ctx.call}).
 */
public class SampleServiceSuite implements ProbeSuite {

    /** The class of the service's store (a nested class of the default-package {@code SampleService}). */
    static final String STORE_TYPE = "SampleService$KeyValueStore";

    private static final Set<Integer> KNOWN = Set.of(200, 204, 404, 405);

    @Override
    public String name() {
        return "sample-service";
    }

    @Override
    public List<Probe> probes() {
        return List.of(
                Probe.named("kv-read")
                        .inType(STORE_TYPE).method("get").on(Phase.EXIT)
                        .test("GET serves what the store holds", SampleServiceSuite::servedValueIsStored),
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
                        // Loose: a clone restored on a busy host is slower than production.
                        .timeLimit(Duration.ofMillis(500))
                        .test("handled within 500 ms", ctx -> assertTrue(ctx.elapsed().toMillis() < 500,
                                "took " + ctx.elapsed().toMillis() + " ms")));
    }

    /**
     * The value {@code KeyValueStore.get(key)} returned must be what the store holds under exactly
     * {@code key}. A mismatch counts only when the store also holds a key that differs from
     * {@code key} in case alone: otherwise it can come from a PUT of this very key racing the GET,
     * which a clone sees when it serves duplicated connections concurrently (production's client had
     * them in order).
     */
    static void servedValueIsStored(ProbeContext ctx) throws Throwable {
        String key = ctx.arg(0, String.class);
        String served = ctx.returnValue(String.class);
        String stored = (String) ctx.call("stored", key); // the store's cache-bypassing read
        if (Objects.equals(served, stored)) {
            return;
        }
        List<String> variants = caseVariants(ctx.field("values", Map.class), key);
        if (!variants.isEmpty()) {
            fail("GET " + key + " served " + (served == null ? "404" : "'" + served + "'")
                    + " but the store has " + (stored == null ? "no such key" : "'" + stored + "'")
                    + " (keys differing only in case: " + String.join(", ", variants) + ")");
        }
    }

    /** Keys of the store other than {@code key} that equal it ignoring case (read only on a mismatch). */
    static List<String> caseVariants(Map<?, ?> values, String key) {
        List<String> out = new ArrayList<>();
        for (Object k : values.keySet()) {
            if (k instanceof String s && !s.equals(key) && s.equalsIgnoreCase(key)) {
                out.add(s);
            }
        }
        Collections.sort(out);
        return out;
    }
}
