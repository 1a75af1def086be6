package io.parikshan.proxy.fidelity;

import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Turning bytes and part values into the short texts of a {@link DivergentExchange}. */
public final class Texts {

    private static final int VALUE_CHARS = 200;
    private static final int CONTEXT_BEFORE = 40;
    private static final int CONTEXT_AFTER = 80;

    private Texts() {
    }

    /** Up to {@link DivergentExchange#MAX_TEXT} bytes as UTF-8 text, saying how many more there were. */
    public static String bytes(byte[] b, int offset, int length, long total) {
        int n = Math.min(length, DivergentExchange.MAX_TEXT);
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        String text;
        try {
            text = d.decode(ByteBuffer.wrap(b, offset, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            text = new String(b, offset, n, StandardCharsets.ISO_8859_1);
        }
        return total > n ? text + "... (" + (total - n) + " more bytes)" : text;
    }

    /** A whole HTTP message: head and the kept body, cut to the text limit. */
    public static String message(HttpMessage m) {
        if (m == null) {
            return "(no answer)";
        }
        byte[] all = new byte[Math.min(DivergentExchange.MAX_TEXT, m.head().length + m.body().length)];
        int h = Math.min(all.length, m.head().length);
        System.arraycopy(m.head(), 0, all, 0, h);
        System.arraycopy(m.body(), 0, all, h, all.length - h);
        return bytes(all, 0, all.length, m.head().length + m.bodyLength());
    }

    /** One line saying how a part differs between production and the clone. */
    public static String difference(String part, String production, String clone) {
        if (production == null || clone == null) {
            return part + ": production " + (production == null ? "(absent)" : quote(production, VALUE_CHARS))
                    + ", clone " + (clone == null ? "(absent)" : quote(clone, VALUE_CHARS));
        }
        if (part.equals("body")) {
            int i = firstDifference(production, clone);
            int from = Math.max(0, i - CONTEXT_BEFORE);
            return "body differs at byte " + i + " (production " + production.length() + " bytes, clone " + clone.length()
                    + "): production " + quote(window(production, from, i), 0) + ", clone " + quote(window(clone, from, i), 0);
        }
        return part + ": production " + quote(production, VALUE_CHARS) + ", clone " + quote(clone, VALUE_CHARS);
    }

    static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }

    private static String window(String s, int from, int at) {
        int to = Math.min(s.length(), at + CONTEXT_AFTER);
        return (from > 0 ? "..." : "") + s.substring(Math.min(from, s.length()), to) + (to < s.length() ? "..." : "");
    }

    /** Quoted, control characters escaped, cut to {@code max} chars (0: no cut). */
    public static String quote(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max == 0 ? s.length() : max) + 8).append('"');
        int n = max == 0 ? s.length() : Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
        if (n < s.length()) {
            b.append("... (").append(s.length() - n).append(" more)");
        }
        return b.toString();
    }
}
