package io.parikshan.proxy.fidelity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One HTTP/1.x request or response as it crossed the wire, body decoded from chunked framing.
 * Header fields are turned into strings only when asked for: the common case (answers equal as
 * sent) compares header lines as bytes. Not thread-safe (one connection's event loop).
 */
public final class HttpMessage {

    /** One header field; the name as sent. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final byte[] head;
    private final String method;
    private final int status;
    private final byte[] body;
    private final long bodyLength;
    private final boolean bodyTruncated;
    private final long wireBytes;
    private List<Header> headers;

    /**
     * @param head          the start line and header lines, as sent (ending with the empty line)
     * @param method        the request method (requests only, else null)
     * @param status        the status code (responses only, else 0)
     * @param body          the body (possibly only its beginning, see {@code bodyTruncated})
     * @param bodyLength    the full body length
     * @param bodyTruncated true if only the beginning of the body was kept
     * @param wireBytes     bytes the message took on the wire
     */
    public HttpMessage(byte[] head, String method, int status, byte[] body, long bodyLength, boolean bodyTruncated, long wireBytes) {
        this.head = Objects.requireNonNull(head, "head");
        this.method = method;
        this.status = status;
        this.body = Objects.requireNonNull(body, "body");
        this.bodyLength = bodyLength;
        this.bodyTruncated = bodyTruncated;
        this.wireBytes = wireBytes;
    }

    public byte[] head() {
        return head;
    }

    public String method() {
        return method;
    }

    public int status() {
        return status;
    }

    public byte[] body() {
        return body;
    }

    public long bodyLength() {
        return bodyLength;
    }

    public boolean bodyTruncated() {
        return bodyTruncated;
    }

    public long wireBytes() {
        return wireBytes;
    }

    /** Header fields in order (obsolete folded lines are dropped). */
    public List<Header> headers() {
        if (headers == null) {
            List<Header> out = new ArrayList<>(12);
            for (int at = lineEnd(head, 0) + 1; at < head.length; at = lineEnd(head, at) + 1) {
                int end = contentEnd(head, at);
                int colon = indexOf(head, (byte) ':', at, end);
                if (end == at || colon <= at || head[at] == ' ' || head[at] == '\t') {
                    continue;
                }
                out.add(new Header(text(head, at, colon).strip(), text(head, colon + 1, end).strip()));
            }
            headers = List.copyOf(out);
        }
        return headers;
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
        for (Header h : headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The start line. */
    public String startLine() {
        return text(head, 0, contentEnd(head, 0));
    }

    /** Bytes this message holds in memory (for the comparison budget). */
    public long heldBytes() {
        return 96L + 2L * head.length + body.length;
    }

    public boolean isJson() {
        String type = header("content-type");
        return type != null && type.toLowerCase(Locale.ROOT).contains("json");
    }

    /**
     * True if both heads carry the same header lines byte for byte, in order, leaving out lines
     * whose name {@code skip} says to leave out. A false answer may still be equal once names
     * are compared in any case and fields grouped (the caller then takes the slow path).
     */
    static boolean sameHeaderLines(HttpMessage a, HttpMessage b, NameFilter skip) {
        byte[] x = a.head;
        byte[] y = b.head;
        int i = lineEnd(x, 0) + 1;
        int j = lineEnd(y, 0) + 1;
        while (true) {
            i = nextKept(x, i, skip);
            j = nextKept(y, j, skip);
            if (i >= x.length || j >= y.length) {
                return i >= x.length && j >= y.length;
            }
            int ie = contentEnd(x, i);
            int je = contentEnd(y, j);
            if (!Arrays.equals(x, i, ie, y, j, je)) {
                return false;
            }
            i = lineEnd(x, i) + 1;
            j = lineEnd(y, j) + 1;
        }
    }

    /** Which header names to leave out, given as bytes of a head (no string is made). */
    interface NameFilter {
        boolean skips(byte[] head, int from, int to);
    }

    private static int nextKept(byte[] h, int at, NameFilter skip) {
        while (at < h.length) {
            int end = contentEnd(h, at);
            if (end > at) {
                int colon = indexOf(h, (byte) ':', at, end);
                if (colon <= at || !skip.skips(h, at, nameEnd(h, at, colon))) {
                    return at;
                }
            }
            at = lineEnd(h, at) + 1;
        }
        return at;
    }

    /** True if {@code h[from, to)} is {@code lowerCaseName} in any ASCII case. */
    static boolean nameIs(byte[] h, int from, int to, String lowerCaseName) {
        if (to - from != lowerCaseName.length()) {
            return false;
        }
        for (int k = 0; k < lowerCaseName.length(); k++) {
            int c = h[from + k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerCaseName.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static int nameEnd(byte[] h, int from, int colon) {
        int end = colon;
        while (end > from && (h[end - 1] == ' ' || h[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    /** Index of the '\n' ending the line that starts at {@code from} (or the head's length). */
    static int lineEnd(byte[] h, int from) {
        for (int k = from; k < h.length; k++) {
            if (h[k] == '\n') {
                return k;
            }
        }
        return h.length;
    }

    /** End of the line's content: before its "\r\n" or "\n". */
    static int contentEnd(byte[] h, int from) {
        int end = lineEnd(h, from);
        return end > from && h[end - 1] == '\r' ? end - 1 : end;
    }

    static int indexOf(byte[] h, byte b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (h[k] == b) {
                return k;
            }
        }
        return -1;
    }

    static String text(byte[] h, int from, int to) {
        return new String(h, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
