package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpStreamParserTest {

    private static List<HttpMessage> feedInPieces(HttpStreamParser parser, String wire, int piece) {
        List<HttpMessage> out = new ArrayList<>();
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += piece) {
            ByteBuf b = Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i));
            parser.feed(b, out);
            b.release();
        }
        return out;
    }

    private static String body(HttpMessage m) {
        return new String(m.body(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void pipelined_responses_with_content_length_and_chunked_bodies_come_out_whole_whatever_the_split() {
        String wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n";
        for (int piece : new int[] {1, 2, 3, 7, 64, 10_000}) {
            List<HttpMessage> out = feedInPieces(HttpStreamParser.responses(null), wire, piece);
            assertThat(out).as("split every %d bytes", piece).hasSize(3);
            assertThat(out.get(0).status()).isEqualTo(200);
            assertThat(body(out.get(0))).isEqualTo("hello");
            assertThat(out.get(0).header("x-a")).isEqualTo("1");
            assertThat(out.get(1).status()).isEqualTo(404);
            assertThat(body(out.get(1))).isEqualTo("abc0123456789abcdef");
            assertThat(out.get(1).bodyLength()).isEqualTo(19);
            assertThat(out.get(2).status()).isEqualTo(204);
            assertThat(out.get(2).body()).isEmpty();
            assertThat(out.stream().mapToLong(HttpMessage::wireBytes).sum()).isEqualTo(wire.length());
        }
    }

    @Test
    void answers_to_head_have_no_body_even_with_content_length_and_interim_answers_are_skipped() {
        List<String> methods = List.of("HEAD", "GET");
        HttpStreamParser p = HttpStreamParser.responses(i -> methods.get((int) i));
        List<HttpMessage> out = feedInPieces(p,
                "HTTP/1.1 200 OK\r\nContent-Length: 612\r\n\r\n"
                        + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 5);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).body()).isEmpty();
        assertThat(body(out.get(1))).isEqualTo("ok");
    }

    @Test
    void a_body_without_framing_runs_to_the_end_of_the_stream() {
        HttpStreamParser p = HttpStreamParser.responses(null);
        List<HttpMessage> out = feedInPieces(p, "HTTP/1.0 200 OK\r\n\r\nuntil close", 4);
        assertThat(out).isEmpty();
        p.end(out);
        assertThat(out).hasSize(1);
        assertThat(body(out.get(0))).isEqualTo("until close");
    }

    @Test
    void pipelined_requests_split_across_reads_keep_their_bodies_up_to_the_limit() {
        String wire = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
                + "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n";
        List<HttpMessage> out = feedInPieces(HttpStreamParser.requests(6), wire, 3);
        assertThat(out).extracting(HttpMessage::method).containsExactly("GET", "POST", "PUT");
        assertThat(body(out.get(1))).isEqualTo("012345");
        assertThat(out.get(1).bodyTruncated()).isTrue();
        assertThat(out.get(1).bodyLength()).isEqualTo(10);
        assertThat(body(out.get(2))).isEqualTo("wxyz");
        assertThat(out.get(0).startLine()).isEqualTo("GET /a HTTP/1.1");
    }

    @Test
    void garbage_is_reported_not_parsed() {
        HttpStreamParser p = HttpStreamParser.responses(null);
        List<HttpMessage> out = feedInPieces(p, "+OK\r\n\r\n", 100);
        assertThat(out).isEmpty();
        assertThat(p.error()).contains("not an HTTP/1.x status line");
        HttpStreamParser chunked = HttpStreamParser.responses(null);
        feedInPieces(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100);
        assertThat(chunked.error()).contains("bad chunk size");
        HttpStreamParser cut = HttpStreamParser.responses(null);
        feedInPieces(cut, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 100);
        cut.end(out);
        assertThat(cut.error()).contains("ended inside a message");
    }

    @Test
    void switching_protocols_ends_http() {
        HttpStreamParser p = HttpStreamParser.responses(null);
        List<HttpMessage> out = feedInPieces(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0005hello", 100);
        assertThat(out).hasSize(1);
        assertThat(p.upgraded()).isTrue();
        assertThat(p.error()).isNull();
    }

    @Test
    void parts_leave_out_ignored_headers_framing_and_regex_matches() {
        NoiseRules rules = NoiseRules.parse(List.of("X-Request-Id"), List.of(), List.of("t=[0-9.]+"));
        HttpMessage a = feedInPieces(HttpStreamParser.responses(null),
                "HTTP/1.1 200 OK\r\nDate: Mon\r\nX-Request-Id: 1\r\nContent-Length: 8\r\n\r\nt=1.5 ok", 100).get(0);
        HttpMessage b = feedInPieces(HttpStreamParser.responses(null),
                "HTTP/1.1 200 OK\r\nDate: Tue\r\nX-Request-Id: 2\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nt=2.25 ok\r\n0\r\n\r\n", 100).get(0);
        Map<String, String> pa = AnswerParts.of(a, rules, false);
        Map<String, String> pb = AnswerParts.of(b, rules, false);
        assertThat(pa).isEqualTo(pb).containsEntry("body", "<ignored> ok").containsOnlyKeys("status", "body");
        assertThat(ExchangeJudge.differingParts(pa, AnswerParts.of(a, NoiseRules.DEFAULT, false)))
                .containsExactlyInAnyOrder("header:x-request-id", "body");
    }
}
