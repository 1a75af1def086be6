package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.junit.ProbeResults;
import io.parikshan.dsl.junit.ProbeSuites;
import io.parikshan.probed.AuditSuite;
import io.parikshan.probed.Ledger;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@ProbeSuites(value = AuditSuite.class, failOnProbeFailure = false)
class AnnotationSelectorTest {

    @Test
    void onlyAnnotatedMethodsOfAnnotatedTypesAreProbed(ProbeResults results) {
        Ledger ledger = new Ledger();
        ledger.credit(10);
        ledger.credit(-25);
        ledger.balance();
        assertThat(results.runs("audited")).hasSize(2).allMatch(r -> r.context().startsWith("io.parikshan.probed.Ledger.credit("));
        assertThat(results.count("audited", Outcome.PASS)).isEqualTo(1);
        assertThat(results.count("audited", Outcome.FAIL)).isEqualTo(1);
        assertThat(results.runs("audited")).filteredOn(r -> r.outcome() == Outcome.FAIL).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("negative balance -15"));
    }
}
