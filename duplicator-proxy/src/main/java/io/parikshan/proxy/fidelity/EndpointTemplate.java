package io.parikshan.proxy.fidelity;

import java.util.Locale;

/**
 * An HTTP exchange's endpoint as a low-cardinality name: the method and the path with the query
 * left out and every segment that looks like an identifier (it holds a digit, or is longer than
 * {@value #LONG_SEGMENT} characters) replaced by {@code {id}}: {@code GET /kv/user42} is
 * {@code GET /kv/{id}}, so one changed endpoint is one line with a count.
 */
public final class EndpointTemplate {

    static final int LONG_SEGMENT = 24;
    private static final int MAX_SEGMENTS = 8;

    private EndpointTemplate() {
    }

    /** The endpoint of a request line ({@code GET /kv/user42?x=1 HTTP/1.1}); {@code (unknown)} when it has none. */
    public static String ofRequestLine(String requestLine) {
        if (requestLine == null) {
            return "(unknown)";
        }
        String[] p = requestLine.strip().split(" ");
        if (p.length < 2) {
            return "(unknown)";
        }
        return of(p[0], p[1]);
    }

    public static String of(String method, String target) {
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme >= 0) { // absolute form, as sent to a proxy
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        int h = path.indexOf('#');
        if (h >= 0) {
            path = path.substring(0, h);
        }
        StringBuilder b = new StringBuilder(method.toUpperCase(Locale.ROOT)).append(' ');
        String[] segments = path.split("/", -1);
        int shown = 0;
        for (int i = 1; i < segments.length; i++) {
            if (++shown > MAX_SEGMENTS) {
                b.append("/...");
                break;
            }
            String s = segments[i];
            b.append('/').append(isIdentifier(s) ? "{id}" : s);
        }
        if (segments.length <= 1) {
            b.append(path.isEmpty() ? "/" : path);
        }
        return b.toString();
    }

    private static boolean isIdentifier(String segment) {
        if (segment.length() > LONG_SEGMENT) {
            return true;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (Character.isDigit(segment.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
