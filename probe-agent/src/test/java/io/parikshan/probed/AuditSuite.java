package io.parikshan.probed;

import io.parikshan.dsl.Phase;
import io.parikshan.dsl.Probe;
import io.parikshan.dsl.ProbeSuite;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Selects by annotation: annotated methods of annotated classes. */
public class AuditSuite implements ProbeSuite {

    @Override
    public List<Probe> probes() {
        return List.of(Probe.named("audited").inTypesAnnotatedWith(Audited.class).methodsAnnotatedWith(Audited.class)
                .on(Phase.EXIT)
                .test("balance never negative", ctx -> {
                    assertSame(Ledger.class, ctx.receiver().getClass());
                    assertTrue(ctx.returnValue(Long.class) >= 0, "negative balance " + ctx.returnValue());
                }));
    }
}
