package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Compare mode {@code auto}: tells from the client's first line whether a connection speaks
 * HTTP/1.x. The bytes seen are kept until then, because the request parser has to start from
 * the connection's first byte.
 */
public final class ProtocolSniffer {

    /** An HTTP/1.x request line. */
    private static final Pattern REQUEST_LINE = Pattern.compile("[A-Z][A-Z_-]{0,23} \\S+ HTTP/1\\.[01]\r?");
    /** A first line longer than this is not an HTTP request line (and holding more would cost memory). */
    private static final int LIMIT = 8 * 1024;

    private byte[] seen = new byte[0];

    /**
     * Adds the client's next chunk (the caller keeps ownership).
     *
     * @return {@link CompareMode#HTTP} or {@link CompareMode#TCP} once decided, {@link CompareMode#AUTO}
     * while the first line is incomplete
     */
    public CompareMode sniff(ByteBuf chunk) {
        int at = seen.length;
        seen = Arrays.copyOf(seen, at + chunk.readableBytes());
        chunk.getBytes(chunk.readerIndex(), seen, at, chunk.readableBytes());
        int start = 0;
        while (start < seen.length && (seen[start] == '\r' || seen[start] == '\n')) {
            start++; // empty lines before a request line are allowed (RFC 9112, 2.2)
        }
        int lf = -1;
        for (int i = start; i < seen.length; i++) {
            if (seen[i] == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            return seen.length - start > LIMIT ? CompareMode.TCP : CompareMode.AUTO;
        }
        String line = new String(seen, start, lf - start, StandardCharsets.ISO_8859_1);
        return REQUEST_LINE.matcher(line).matches() ? CompareMode.HTTP : CompareMode.TCP;
    }

    /** Every byte sniffed so far, from the connection's first. */
    public byte[] seen() {
        return seen;
    }
}
