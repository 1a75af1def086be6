package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProtocolSnifferTest {

    private static CompareMode sniff(ProtocolSniffer s, String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            return s.sniff(b);
        } finally {
            b.release();
        }
    }

    @Test
    void a_request_line_split_over_reads_is_http_once_complete_and_every_byte_seen_is_kept() {
        ProtocolSniffer s = new ProtocolSniffer();
        assertThat(sniff(s, "\r\nGET /a HT")).isEqualTo(CompareMode.AUTO);
        assertThat(sniff(s, "TP/1.1\r\nHost: x\r\n")).isEqualTo(CompareMode.HTTP);
        assertThat(new String(s.seen(), StandardCharsets.ISO_8859_1)).isEqualTo("\r\nGET /a HTTP/1.1\r\nHost: x\r\n");
    }

    @Test
    void other_first_lines_are_tcp() {
        assertThat(sniff(new ProtocolSniffer(), "PING\r\n")).isEqualTo(CompareMode.TCP);
        assertThat(sniff(new ProtocolSniffer(), "GET / HTTP/2.0\r\n")).isEqualTo(CompareMode.TCP);
        assertThat(sniff(new ProtocolSniffer(), "get / HTTP/1.1\r\n")).isEqualTo(CompareMode.TCP);
        assertThat(sniff(new ProtocolSniffer(), "GET / HTTP/1.0\n")).isEqualTo(CompareMode.HTTP);
    }

    @Test
    void a_first_line_longer_than_8_KiB_is_tcp_without_waiting_for_its_end() {
        ProtocolSniffer s = new ProtocolSniffer();
        assertThat(sniff(s, "x".repeat(8 * 1024))).isEqualTo(CompareMode.AUTO);
        assertThat(sniff(s, "x")).isEqualTo(CompareMode.TCP);
    }
}
