package io.parikshan.probed.suites;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A passing and a failing test on Greeter.greet (the failing one fails for name "bob"). */
public class GreetingSuite implements ProbeSuite {

    @Override
    public String name() {
        return "greeting";
    }

    @Override
    public List<Probe> probes() {
        return List.of(Probe.named("greet-exit")
                .inType("io.parikshan.probed.server.Greeter")
                .method("greet")
                .on(Phase.EXIT)
                .test("greets the caller by name", ctx -> {
                    assertTrue(ctx.elapsed().toNanos() >= 0);
                    assertEquals("hello, " + ctx.arg(0, String.class), ctx.returnValue(String.class));
                })
                .test("never greets bob", ctx -> assertNotEquals("bob", ctx.arg(0, String.class),
                        "bob reached the greeter")));
    }
}
