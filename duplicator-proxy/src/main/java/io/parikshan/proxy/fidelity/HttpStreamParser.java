package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * An incremental HTTP/1.x parser of one direction of one connection: bytes go in as they come
 * off the socket (split anywhere, pipelined messages back to back), whole messages come out.
 * Bodies are framed by Content-Length, chunked transfer coding (decoded) or, for responses, the
 * end of the stream; HEAD answers, 1xx, 204 and 304 have none. Interim 1xx answers are skipped.
 * After {@code 101 Switching Protocols} or a successful CONNECT the stream is no longer HTTP:
 * the parser reports {@link #upgraded()} and ignores the rest.
 *
 * <p>Not thread-safe: one parser per stream, used by one thread.
 */
public final class HttpStreamParser {

    /** Longest head (start line and headers) accepted. */
    public static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_LINE = 8 * 1024;

    private enum State { HEAD, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, BODY_TO_EOF, UPGRADED, FAILED }

    private final boolean requests;
    private final long bodyKeepLimit;
    private final LongFunction<String> requestMethod;
    private State state = State.HEAD;
    private byte[] head = new byte[256];
    private int headLength;
    private byte[] line = new byte[64];
    private int lineLength;
    private byte[] body = new byte[0];
    private int bodyKept;
    private long bodyLength;
    private long remaining;
    private long wireBytes;
    private long completed;
    private String error;
    // the message being read, once its head is parsed
    private String method;
    private int status;
    private byte[] headBytes;

    private HttpStreamParser(boolean requests, long bodyKeepLimit, LongFunction<String> requestMethod) {
        this.requests = requests;
        this.bodyKeepLimit = bodyKeepLimit;
        this.requestMethod = requestMethod;
    }

    /** A parser of a client's requests, keeping at most {@code bodyKeepLimit} bytes of each body. */
    public static HttpStreamParser requests(long bodyKeepLimit) {
        return new HttpStreamParser(true, bodyKeepLimit, null);
    }

    /**
     * A parser of a server's answers, keeping whole bodies.
     *
     * @param requestMethod the method of the n-th request (0-based) of the connection, or null if unknown;
     *                      HEAD and CONNECT answers are framed differently
     */
    public static HttpStreamParser responses(LongFunction<String> requestMethod) {
        return new HttpStreamParser(false, Long.MAX_VALUE, requestMethod);
    }

    /** Reads all readable bytes of {@code in} (the caller keeps ownership) and adds every message completed to {@code out}. */
    public void feed(ByteBuf in, List<HttpMessage> out) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end && state != State.FAILED && state != State.UPGRADED) {
            switch (state) {
                case HEAD -> i = readHead(in, i, end, out);
                case BODY_FIXED, CHUNK_DATA, BODY_TO_EOF -> {
                    int n = (int) (state == State.BODY_TO_EOF ? end - i : Math.min(remaining, end - i));
                    keepBody(in, i, n);
                    i += n;
                    wireBytes += n;
                    remaining -= n;
                    if (state == State.BODY_FIXED && remaining == 0) {
                        complete(out);
                    } else if (state == State.CHUNK_DATA && remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case CHUNK_SIZE, CHUNK_END, TRAILERS -> i = readLine(in, i, end, out);
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** The stream ended: completes a body that runs to the end; a message cut short is an error. */
    public void end(List<HttpMessage> out) {
        if (state == State.BODY_TO_EOF) {
            complete(out);
        } else if (state != State.FAILED && state != State.UPGRADED && (state != State.HEAD || headLength > 0)) {
            fail("stream ended inside a message");
        }
    }

    /** Messages completed so far. */
    public long completed() {
        return completed;
    }

    /** Why the stream is not HTTP, or null. */
    public String error() {
        return error;
    }

    public boolean upgraded() {
        return state == State.UPGRADED;
    }

    /** Bytes the parser holds for a message not yet complete. */
    public long heldBytes() {
        return head.length + line.length + body.length;
    }

    private int readHead(ByteBuf in, int i, int end, List<HttpMessage> out) {
        if (headLength == 0) {
            // empty lines before a message are tolerated and not part of it (RFC 9112 2.2)
            while (i < end && (in.getByte(i) == '\r' || in.getByte(i) == '\n')) {
                i++;
            }
            if (i == end) {
                return i;
            }
        }
        // copy what is there in one go, then look for the empty line that ends the head
        int n = Math.min(end - i, MAX_HEAD - headLength);
        if (n == 0) {
            fail("head longer than " + MAX_HEAD + " bytes");
            return end;
        }
        if (headLength + n > head.length) {
            head = Arrays.copyOf(head, Math.min(MAX_HEAD, Math.max(head.length * 2, headLength + n)));
        }
        in.getBytes(i, head, headLength, n);
        int from = Math.max(headLength, 1);
        int total = headLength + n;
        for (int k = from; k < total; k++) {
            if (head[k] == '\n' && (head[k - 1] == '\n' || (k >= 2 && head[k - 1] == '\r' && head[k - 2] == '\n'))) {
                int taken = k + 1 - headLength;
                headLength = k + 1;
                wireBytes += taken;
                parseHead(out);
                return i + taken;
            }
        }
        headLength = total;
        wireBytes += n;
        if (headLength >= MAX_HEAD) {
            fail("head longer than " + MAX_HEAD + " bytes");
            return end;
        }
        return i + n;
    }

    private void parseHead(List<HttpMessage> out) {
        byte[] h = Arrays.copyOf(head, headLength);
        headBytes = h;
        headLength = 0;
        if (head.length > 4096) {
            head = new byte[256];
        }
        // only the start line and the framing headers are read now; the rest stays bytes until needed
        long contentLength = -1;
        String transferEncoding = null;
        for (int at = HttpMessage.lineEnd(h, 0) + 1; at < h.length; at = HttpMessage.lineEnd(h, at) + 1) {
            int end = HttpMessage.contentEnd(h, at);
            if (end == at) {
                continue;
            }
            int colon = HttpMessage.indexOf(h, (byte) ':', at, end);
            if (colon <= at) {
                if (h[at] == ' ' || h[at] == '\t') {
                    continue; // obsolete line folding: ignored
                }
                fail("header line without ':': " + abbreviate(HttpMessage.text(h, at, end)));
                return;
            }
            int nameEnd = HttpMessage.nameEnd(h, at, colon);
            if (HttpMessage.nameIs(h, at, nameEnd, "content-length")) {
                String value = HttpMessage.text(h, colon + 1, end);
                try {
                    contentLength = contentLength(contentLength, value);
                } catch (IllegalArgumentException e) {
                    fail(e.getMessage());
                    return;
                }
            } else if (HttpMessage.nameIs(h, at, nameEnd, "transfer-encoding")) {
                String[] codings = HttpMessage.text(h, colon + 1, end).split(",");
                transferEncoding = codings[codings.length - 1].strip().toLowerCase(Locale.ROOT);
            }
        }
        boolean chunked = "chunked".equals(transferEncoding);
        int startEnd = HttpMessage.contentEnd(h, 0);
        if (requests) {
            String[] parts = HttpMessage.text(h, 0, startEnd).split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                fail("not an HTTP/1.x request line: " + abbreviate(HttpMessage.text(h, 0, startEnd)));
                return;
            }
            method = parts[0];
            status = 0;
            beginBody(chunked, contentLength, false, out);
            return;
        }
        if (startEnd < 12 || !startsWithHttp1(h) || h[8] != ' ' || !digit(h[9]) || !digit(h[10]) || !digit(h[11])) {
            fail("not an HTTP/1.x status line: " + abbreviate(HttpMessage.text(h, 0, startEnd)));
            return;
        }
        status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
        method = null;
        if (status >= 100 && status < 200 && status != 101) {
            wireBytes = 0; // interim answer (100 Continue, 103 Early Hints): not an exchange of its own
            return;
        }
        String requestedWith = requestMethod == null ? null : requestMethod.apply(completed);
        boolean tunnel = status == 101 || ("CONNECT".equals(requestedWith) && status / 100 == 2);
        boolean noBody = tunnel || status == 204 || status == 304 || "HEAD".equals(requestedWith);
        if (noBody) {
            complete(out);
            if (tunnel) {
                state = State.UPGRADED;
            }
            return;
        }
        beginBody(chunked, contentLength, true, out);
    }

    private static boolean startsWithHttp1(byte[] h) {
        return h[0] == 'H' && h[1] == 'T' && h[2] == 'T' && h[3] == 'P' && h[4] == '/' && h[5] == '1' && h[6] == '.';
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void beginBody(boolean chunked, long contentLength, boolean toEofIfUnframed, List<HttpMessage> out) {
        bodyLength = 0;
        bodyKept = 0;
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = State.BODY_FIXED;
        } else if (contentLength == 0 || !toEofIfUnframed) {
            complete(out);
        } else {
            state = State.BODY_TO_EOF;
        }
    }

    /** The Content-Length so far combined with one more field value (a list of equal values is allowed). */
    private static long contentLength(long soFar, String fieldValue) {
        long value = soFar;
        for (String v : fieldValue.split(",")) {
            long n;
            try {
                n = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad Content-Length '" + fieldValue.strip() + "'");
            }
            if (n < 0 || (value >= 0 && n != value)) {
                throw new IllegalArgumentException("bad Content-Length '" + fieldValue.strip() + "'");
            }
            value = n;
        }
        return value;
    }

    /** Chunk-size lines, the CRLF after chunk data and trailer lines. */
    private int readLine(ByteBuf in, int i, int end, List<HttpMessage> out) {
        while (i < end) {
            byte b = in.getByte(i++);
            wireBytes++;
            if (b != '\n') {
                if (lineLength == MAX_LINE) {
                    fail("chunk line longer than " + MAX_LINE + " bytes");
                    return end;
                }
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_LINE, lineLength * 2));
                }
                line[lineLength++] = b;
                continue;
            }
            int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
            String text = new String(line, 0, n, StandardCharsets.ISO_8859_1);
            lineLength = 0;
            switch (state) {
                case CHUNK_SIZE -> {
                    int semi = text.indexOf(';');
                    String hex = (semi < 0 ? text : text.substring(0, semi)).strip();
                    long size;
                    try {
                        size = Long.parseLong(hex, 16);
                    } catch (NumberFormatException e) {
                        fail("bad chunk size '" + abbreviate(text) + "'");
                        return end;
                    }
                    if (size < 0) {
                        fail("bad chunk size '" + abbreviate(text) + "'");
                        return end;
                    }
                    if (size == 0) {
                        state = State.TRAILERS;
                    } else {
                        remaining = size;
                        state = State.CHUNK_DATA;
                    }
                }
                case CHUNK_END -> {
                    if (!text.isEmpty()) {
                        fail("chunk data longer than its size");
                        return end;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (text.isEmpty()) {
                        complete(out);
                    }
                    // trailer fields are not compared
                }
                default -> throw new IllegalStateException(state.name());
            }
            return i;
        }
        return i;
    }

    private void keepBody(ByteBuf in, int index, int n) {
        bodyLength += n;
        long room = bodyKeepLimit - bodyKept;
        int keep = (int) Math.min(room, n);
        if (keep <= 0) {
            return;
        }
        if (bodyKept + keep > body.length) {
            long want = Math.max((long) body.length * 2, (long) bodyKept + keep);
            if (want > Integer.MAX_VALUE - 16) {
                fail("body larger than 2 GiB");
                return;
            }
            body = Arrays.copyOf(body, (int) want);
        }
        in.getBytes(index, body, bodyKept, keep);
        bodyKept += keep;
    }

    private void complete(List<HttpMessage> out) {
        byte[] kept = bodyKept == body.length ? body : Arrays.copyOf(body, bodyKept);
        out.add(new HttpMessage(headBytes, method, status, kept, bodyLength, bodyKept < bodyLength, wireBytes));
        completed++;
        body = new byte[0];
        bodyKept = 0;
        bodyLength = 0;
        wireBytes = 0;
        headBytes = null;
        state = State.HEAD;
        if (requests && "CONNECT".equals(method)) {
            state = State.UPGRADED; // the rest of the client's stream is tunnelled bytes
        }
    }

    private void fail(String why) {
        state = State.FAILED;
        error = why;
        body = new byte[0];
        head = new byte[0];
        line = new byte[0];
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
