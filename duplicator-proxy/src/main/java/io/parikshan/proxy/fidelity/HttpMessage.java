package io.parikshan.proxy.fidelity;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One HTTP/1.x request or response as it crossed the wire, body decoded from chunked framing.
 *
 * @param head          the start line and header lines, as sent
 * @param method        the request method (requests only, else null)
 * @param status        the status code (responses only, else 0)
 * @param headers       header fields in order
 * @param body          the body (possibly only its beginning, see {@code bodyTruncated})
 * @param bodyLength    the full body length
 * @param bodyTruncated true if only the beginning of the body was kept
 * @param wireBytes     bytes the message took on the wire
 */
public record HttpMessage(byte[] head, String method, int status, List<Header> headers, byte[] body,
                          long bodyLength, boolean bodyTruncated, long wireBytes) {

    /** One header field; the name as sent. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public HttpMessage {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(body, "body");
        headers = List.copyOf(headers);
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The start line. */
    public String startLine() {
        String h = new String(head, StandardCharsets.ISO_8859_1);
        int end = h.indexOf('\n');
        return (end < 0 ? h : h.substring(0, end)).strip();
    }

    /** Bytes this message holds in memory (for the comparison budget). */
    public long heldBytes() {
        return 96L + head.length + body.length + 48L * headers.size();
    }

    public boolean isJson() {
        String type = header("content-type");
        return type != null && type.toLowerCase(Locale.ROOT).contains("json");
    }
}
