package io.parikshan.agent.host;

/** Reads a top-level string member of the agent's flat JSON lines (its events): all that the tail needs of them. */
final class JsonLine {

    private JsonLine() {
    }

    /** The string value of {@code "key":"..."}, unescaped; null when absent or not a string. */
    static String string(String line, String key) {
        String k = "\"" + key + "\":\"";
        int i = line.indexOf(k);
        if (i < 0) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int p = i + k.length(); p < line.length(); p++) {
            char c = line.charAt(p);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\' && p + 1 < line.length()) {
                char n = line.charAt(++p);
                switch (n) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(line.substring(p + 1, p + 5), 16));
                        p += 4;
                    }
                    default -> b.append(n);
                }
            } else {
                b.append(c);
            }
        }
        return null;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
