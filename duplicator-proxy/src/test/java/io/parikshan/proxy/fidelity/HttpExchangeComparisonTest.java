package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pairing and judging of HTTP exchanges on their own: no budgets, no event loop. */
class HttpExchangeComparisonTest {

    private final List<ByteBuf> given = new ArrayList<>();
    private final List<FidelityLedger> ledgers = new ArrayList<>();
    private ComparedClones clones;

    @AfterEach
    void everythingHandedInWasReleased() {
        assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).as("buffer released").isZero());
    }

    private HttpExchangeComparison comparison(int n, NoiseRules rules) {
        for (int i = 0; i < n; i++) {
            ledgers.add(new FidelityLedger("c" + i, CompareMode.HTTP, 8, null));
        }
        clones = new ComparedClones(ledgers, false);
        return new HttpExchangeComparison(rules, clones, "127.0.0.1:8");
    }

    private ByteBuf buf(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        given.add(b);
        return b;
    }

    private void client(HttpExchangeComparison c, String text) {
        ByteBuf b = buf(text);
        c.clientBytes(b);
        b.release();
    }

    private static String answer(String headers, String body) {
        return "HTTP/1.1 200 OK\r\n" + headers + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private CloneFidelity fidelity(int i) {
        return ledgers.get(i).snapshot();
    }

    @Test
    void pipelined_exchanges_are_paired_in_order_and_a_head_answer_has_no_body() {
        HttpExchangeComparison c = comparison(1, NoiseRules.DEFAULT);
        client(c, "HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n";
        c.productionAnswer(buf(head + answer("", "b")));
        c.cloneAnswer(0, buf(head));
        c.compare();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(c.heldBytes()).as("production's second answer waits for the clone's").isPositive();
        c.cloneAnswer(0, buf(answer("", "B")));
        c.compare();
        CloneFidelity f = fidelity(0);
        assertThat(f.comparedExchanges()).isEqualTo(2);
        assertThat(f.divergenceLog()).singleElement().satisfies(d -> {
            assertThat(d.exchange()).isEqualTo(1);
            assertThat(d.request()).startsWith("GET /b");
        });
        c.release();
    }

    @Test
    void ignored_headers_make_answers_equal() {
        HttpExchangeComparison c = comparison(1, NoiseRules.parse(List.of("X-Request-Id"), List.of(), List.of()));
        client(c, "GET / HTTP/1.1\r\n\r\n");
        c.productionAnswer(buf(answer("X-Request-Id: 1\r\n", "same")));
        c.cloneAnswer(0, buf(answer("X-Request-Id: 2\r\n", "same")));
        c.compare();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();
    }

    @Test
    void a_clone_answer_that_is_not_http_diverges_once_and_ends_that_clone() {
        HttpExchangeComparison c = comparison(1, NoiseRules.DEFAULT);
        client(c, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        c.productionAnswer(buf(answer("", "a") + answer("", "b")));
        c.cloneAnswer(0, buf("garbage\r\n\r\n"));
        c.compare();
        assertThat(fidelity(0).divergentExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergenceLog().get(0).differences()).anyMatch(d -> d.contains("the clone's answer is not HTTP"));
        assertThat(c.over()).isTrue();
        c.release();
    }

    @Test
    void unparseable_requests_give_the_comparison_up_as_protocol() {
        HttpExchangeComparison c = comparison(2, NoiseRules.DEFAULT);
        client(c, "GET / HTTP/1.1\r\nno colon here\r\n\r\n");
        assertThat(c.over()).isTrue();
        assertThat(fidelity(0).droppedComparisons()).containsEntry("protocol", 1L);
        assertThat(fidelity(1).droppedComparisons()).containsEntry("protocol", 1L);
        c.release();
    }

    @Test
    void a_protocol_switch_is_judged_and_then_given_up_as_upgrade() {
        HttpExchangeComparison c = comparison(1, NoiseRules.DEFAULT);
        client(c, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        String switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        c.productionAnswer(buf(switching + "\u0081\u0002hi"));
        c.cloneAnswer(0, buf(switching + "\u0081\u0002ho"));
        c.compare();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();
        assertThat(fidelity(0).droppedComparisons()).containsEntry("upgrade", 1L);
        assertThat(c.over()).isTrue();
        c.release();
    }
}
