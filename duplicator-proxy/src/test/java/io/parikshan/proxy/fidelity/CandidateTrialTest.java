package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The three-way judgement of a patch on trial, on HTTP exchanges fed in memory. */
class CandidateTrialTest {

    private final List<ByteBuf> given = new ArrayList<>();

    @AfterEach
    void everythingHandedInWasReleased() {
        assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).as("buffer released").isZero());
    }

    private ByteBuf buf(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        given.add(b);
        return b;
    }

    private static String answer(int status, String body) {
        return "HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** One exchange on a connection fed clones {@code names}: production's, then each clone's answer. */
    private void exchange(CandidateTrial trial, List<String> names, String request, String production, String... clones) {
        List<FidelityLedger> ledgers = names.stream().map(n -> new FidelityLedger(n, CompareMode.HTTP, 8, null)).toList();
        HttpExchangeComparison c = new HttpExchangeComparison(NoiseRules.DEFAULT, new ComparedClones(ledgers, true, trial), "127.0.0.1:9");
        ByteBuf r = buf(request);
        c.clientBytes(r);
        r.release();
        c.productionAnswer(buf(production));
        for (int i = 0; i < clones.length; i++) {
            c.cloneAnswer(i, buf(clones[i]));
        }
        c.compare();
        c.release();
    }

    @Test
    void the_candidate_differing_where_the_control_agrees_is_a_change_with_both_answers_kept() {
        CandidateTrial trial = new CandidateTrial(8);
        trial.pair("ctl", "cand");
        trial.activate("ctl");
        List<String> names = List.of("ctl", "cand");
        exchange(trial, names, "GET /kv/user42 HTTP/1.1\r\n\r\n", answer(200, "v-User42"), answer(200, "v-User42"),
                answer(404, "no such key\n"));
        exchange(trial, names, "GET /kv/k-1-2 HTTP/1.1\r\n\r\n", answer(200, "a"), answer(200, "a"), answer(200, "a"));
        exchange(trial, names, "GET /count HTTP/1.1\r\n\r\n", answer(200, "7"), answer(200, "5"), answer(200, "5"));
        CandidateChanges s = trial.snapshot();
        assertThat(s.endpoints()).containsExactly(
                new CandidateChanges.Endpoint("GET /kv/{id}", 2, 1, 0, 0),
                new CandidateChanges.Endpoint("GET /count", 1, 0, 1, 0));
        assertThat(s.changes()).singleElement().satisfies(ch -> {
            assertThat(ch.request()).startsWith("GET /kv/user42");
            assertThat(ch.productionAnswer()).contains("200").contains("v-User42");
            assertThat(ch.candidateAnswer()).contains("404").contains("no such key");
            assertThat(ch.differences()).anySatisfy(d -> assertThat(d).startsWith("status: production \"200\", candidate \"404\""));
        });
    }

    @Test
    void only_the_control_differing_is_counted_apart_and_is_no_change() {
        CandidateTrial trial = new CandidateTrial(8);
        trial.pair("ctl", "cand");
        trial.activate("ctl");
        exchange(trial, List.of("cand", "ctl"), "GET /x HTTP/1.1\r\n\r\n", answer(200, "a"), answer(200, "a"), answer(200, "b"));
        CandidateChanges s = trial.snapshot();
        assertThat(s.changedTotal()).isZero();
        assertThat(s.controlDiffersTotal()).isEqualTo(1);
    }

    @Test
    void clones_of_different_pairs_are_not_judged_together() {
        CandidateTrial trial = new CandidateTrial(8);
        trial.pair("ctl-1", "cand-1");
        trial.activate("cand-1");
        assertThat(trial.snapshot().judging()).isTrue();
        trial.pair("ctl-2", "cand-2");
        assertThat(trial.snapshot().judging()).as("a fresh pair is not judged until it is activated").isFalse();
        exchange(trial, List.of("ctl-2", "cand-2"), "GET /x HTTP/1.1\r\n\r\n", answer(200, "a"), answer(200, "a"), answer(404, "b"));
        assertThat(trial.snapshot().comparedTotal()).as("a pair not yet fed both is not judged").isZero();
        trial.activate("ctl-2");
        assertThat(trial.snapshot().judging()).isTrue();
        exchange(trial, List.of("ctl-1", "cand-2"), "GET /x HTTP/1.1\r\n\r\n", answer(200, "a"), answer(200, "a"), answer(404, "b"));
        assertThat(trial.snapshot().comparedTotal()).isZero();
        exchange(trial, List.of("ctl-2", "cand-2"), "GET /x HTTP/1.1\r\n\r\n", answer(200, "a"), answer(200, "a"), answer(404, "b"));
        assertThat(trial.snapshot().changedTotal()).isEqualTo(1);
        assertThat(trial.snapshot().pair()).isEqualTo(2);
    }

    @Test
    void a_tcp_connection_is_one_exchange_judged_three_ways() {
        CandidateTrial trial = new CandidateTrial(8);
        trial.pair("ctl", "cand");
        trial.activate("ctl");
        for (String candidateAnswer : List.of("+OK\r\n", "-ERR\r\n")) {
            List<FidelityLedger> ledgers = List.of(new FidelityLedger("ctl", CompareMode.TCP, 8, null),
                    new FidelityLedger("cand", CompareMode.TCP, 8, null));
            ComparedClones clones = new ComparedClones(ledgers, false, trial);
            TcpStreamComparison c = new TcpStreamComparison(clones, "127.0.0.1:9");
            ByteBuf r = buf("SET k v\r\n");
            c.clientBytes(r);
            r.release();
            c.productionAnswer(buf("+OK\r\n"));
            c.productionEnded();
            c.cloneAnswer(0, buf("+OK\r\n"));
            c.cloneAnswer(1, buf(candidateAnswer));
            clones.get(0).end();
            clones.get(1).end();
            c.compare();
            c.release();
        }
        CandidateChanges s = trial.snapshot();
        assertThat(s.endpoints()).containsExactly(new CandidateChanges.Endpoint("tcp", 2, 1, 0, 0));
        assertThat(s.changes()).singleElement().satisfies(ch -> {
            assertThat(ch.request()).contains("SET k v");
            assertThat(ch.candidateAnswer()).contains("-ERR");
        });
    }

    @Test
    void three_way_parts() {
        ThreeWayJudge.Outcome o = ThreeWayJudge.judge(Map.of("status", "200", "body", "x"),
                Map.of("status", "200", "body", "y"), Map.of("status", "404", "body", "z"));
        assertThat(o.changed()).containsExactly("status");
        assertThat(o.noisy()).containsExactly("body");
        assertThat(o.isChange()).isTrue();
    }

    @Test
    void endpoints_fold_identifiers_and_drop_the_query() {
        assertThat(EndpointTemplate.ofRequestLine("GET /kv/user42?x=1 HTTP/1.1")).isEqualTo("GET /kv/{id}");
        assertThat(EndpointTemplate.ofRequestLine("PUT /kv/User42 HTTP/1.1")).isEqualTo("PUT /kv/{id}");
        assertThat(EndpointTemplate.ofRequestLine("GET /count HTTP/1.1")).isEqualTo("GET /count");
        assertThat(EndpointTemplate.ofRequestLine("GET http://h:8/a/b HTTP/1.1")).isEqualTo("GET /a/b");
        assertThat(EndpointTemplate.ofRequestLine("GET / HTTP/1.1")).isEqualTo("GET /");
        assertThat(EndpointTemplate.ofRequestLine(null)).isEqualTo("(unknown)");
    }
}
