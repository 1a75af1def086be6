package io.parikshan.proxy.fidelity;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NoiseRulesTest {

    private static HttpMessage json(String body) {
        String wire = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        List<HttpMessage> out = new ArrayList<>();
        HttpStreamParser.responses(null).feed(Unpooled.wrappedBuffer(wire.getBytes(StandardCharsets.ISO_8859_1)), out);
        return out.get(0);
    }

    @Test
    void json_paths_with_wildcards_remove_fields_and_their_subtrees() {
        NoiseRules rules = NoiseRules.parse(null, List.of("$.meta.id", "items[*].at"), null);
        Map<String, String> a = AnswerParts.of(json("{\"meta\":{\"id\":\"x1\",\"v\":2},\"items\":[{\"at\":1,\"n\":\"a\"},{\"at\":2,\"n\":\"b\"}]}"), rules, false);
        Map<String, String> b = AnswerParts.of(json("{\"items\":[{\"n\":\"a\",\"at\":9},{\"at\":8,\"n\":\"b\"}],\"meta\":{\"v\":2,\"id\":{\"deep\":true}}}"), rules, false);
        assertThat(ExchangeJudge.differingParts(a, b)).isEmpty();
        assertThat(a).containsKeys("body:$.meta.v", "body:$.items[0].n").doesNotContainKey("body:$.meta.id");
        Map<String, String> c = AnswerParts.of(json("{\"meta\":{\"id\":\"x1\",\"v\":3},\"items\":[{\"at\":1,\"n\":\"a\"},{\"at\":2,\"n\":\"b\"}]}"), rules, false);
        assertThat(ExchangeJudge.differingParts(a, c)).containsExactly("body:$.meta.v");
    }

    @Test
    void without_json_rules_a_json_body_is_compared_as_bytes() {
        Map<String, String> a = AnswerParts.of(json("{\"a\":1}"), NoiseRules.DEFAULT, false);
        assertThat(a).containsKey("body").doesNotContainKey("body:$.a");
    }

    @Test
    void two_clone_noise_separates_what_the_clones_disagree_on_from_what_they_agree_on() {
        Map<String, String> production = Map.of("status", "200", "header:x-request-id", "p", "body", "v1");
        Map<String, String> clone1 = Map.of("status", "200", "header:x-request-id", "c1", "body", "v2");
        Map<String, String> clone2 = Map.of("status", "200", "header:x-request-id", "c2", "body", "v2");
        List<ExchangeJudge.Outcome> both = ExchangeJudge.judge(production, List.of(clone1, clone2), true);
        assertThat(both).allSatisfy(o -> {
            assertThat(o.verdict()).isEqualTo(Verdict.DIVERGENT);
            assertThat(o.parts()).containsExactly("body");
        });
        Map<String, String> clone2Same = Map.of("status", "200", "header:x-request-id", "c2", "body", "v1");
        Map<String, String> clone1Same = Map.of("status", "200", "header:x-request-id", "c1", "body", "v1");
        assertThat(ExchangeJudge.judge(production, List.of(clone1Same, clone2Same), true))
                .extracting(ExchangeJudge.Outcome::verdict).containsExactly(Verdict.NOISE, Verdict.NOISE);
        assertThat(ExchangeJudge.judge(production, List.of(clone1Same, clone2Same), false))
                .extracting(ExchangeJudge.Outcome::verdict).containsExactly(Verdict.DIVERGENT, Verdict.DIVERGENT);
        assertThat(ExchangeJudge.judge(production, List.of(production, clone2Same), true))
                .extracting(ExchangeJudge.Outcome::verdict).containsExactly(Verdict.EQUAL, Verdict.NOISE);
    }

    @Test
    void bad_rules_are_one_line_errors_naming_the_value() {
        assertThatThrownBy(() -> FidelityConfig.parse("sometimes", null, null, null, false))
                .hasMessage("compare mode 'sometimes' must be off, tcp, http or auto");
        assertThatThrownBy(() -> NoiseRules.parse(List.of("X Bad"), null, null)).hasMessageContaining("'X Bad'");
        assertThatThrownBy(() -> NoiseRules.parse(null, List.of("a..b"), null)).hasMessageContaining("'a..b'");
        assertThatThrownBy(() -> NoiseRules.parse(null, List.of("a[x]"), null)).hasMessageContaining("[x]");
        assertThatThrownBy(() -> NoiseRules.parse(null, null, List.of("(unclosed"))).hasMessageContaining("'(unclosed'")
                .hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> FidelityConfig.parseLogSize("-1")).hasMessageContaining("'-1'");
        assertThat(FidelityConfig.parse("AUTO", List.of("x-request-id"), null, null, true).rules().ignoredHeaders())
                .containsExactlyInAnyOrder("date", "x-request-id");
    }

    @Test
    void ledger_keeps_the_first_divergences_and_a_ratio() {
        FidelityLedger ledger = new FidelityLedger("c1", CompareMode.HTTP, 2, null);
        ledger.judged(Verdict.EQUAL, 10);
        ledger.judged(Verdict.NOISE, 10);
        for (int i = 0; i < 3; i++) {
            ledger.judged(Verdict.DIVERGENT, 10);
            if (ledger.wantsDivergence()) {
                ledger.logDivergence("http", "127.0.0.1:1", i, "GET", "a", "b", List.of("status: 200 vs 500"));
            }
        }
        ledger.dropped(DropReason.BUDGET);
        CloneFidelity s = ledger.snapshot();
        assertThat(s.comparedExchanges()).isEqualTo(5);
        assertThat(s.divergentExchanges()).isEqualTo(3);
        assertThat(s.noiseExchanges()).isEqualTo(1);
        assertThat(s.divergenceRatio()).isEqualTo(0.6);
        assertThat(s.droppedComparisons()).containsExactly(Map.entry("budget", 1L));
        assertThat(s.divergenceLog()).extracting(DivergentExchange::exchange).containsExactly(0L, 1L);
        assertThat(s.divergenceLog()).extracting(DivergentExchange::number).containsExactly(1L, 2L);
    }
}
