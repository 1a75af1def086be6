package io.parikshan.proxy.fidelity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A JSON field to ignore, by path: {@code meta.requestId}, {@code $.items[*].id},
 * {@code items.*.id}. {@code *} matches any one field name or array index; ignoring a field
 * ignores everything under it. Field names containing '.' or '[' cannot be written.
 *
 * @param segments field names, {@code [n]} indices or {@code *}; never empty
 */
public record JsonPath(List<String> segments) {

    public JsonPath {
        segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a JSON path needs at least one field");
        }
    }

    /** Parses a path such as {@code $.a.b[*].c}; the leading {@code $.} is optional. */
    public static JsonPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("JSON path '" + text + "' is empty; write e.g. meta.requestId or $.items[*].id");
        }
        String t = text.strip();
        if (t.startsWith("$")) {
            t = t.substring(1);
            if (t.startsWith(".")) {
                t = t.substring(1);
            }
        }
        List<String> segments = new ArrayList<>();
        for (String token : t.split("\\.", -1)) {
            int bracket = token.indexOf('[');
            String field = bracket < 0 ? token : token.substring(0, bracket);
            if (!field.isEmpty()) {
                segments.add(field);
            } else if (bracket != 0) {
                throw new IllegalArgumentException("JSON path '" + text + "' has an empty field name; write e.g. meta.requestId or $.items[*].id");
            }
            while (bracket >= 0) {
                int close = token.indexOf(']', bracket);
                if (close < 0) {
                    throw new IllegalArgumentException("JSON path '" + text + "' has an unclosed '['; write e.g. items[*].id");
                }
                String index = token.substring(bracket + 1, close).strip();
                if (!index.equals("*") && !index.matches("[0-9]+")) {
                    throw new IllegalArgumentException("JSON path '" + text + "' has index [" + index + "]; use a number or *");
                }
                segments.add(index.equals("*") ? "*" : "[" + index + "]");
                int next = close + 1;
                if (next < token.length() && token.charAt(next) != '[') {
                    throw new IllegalArgumentException("JSON path '" + text + "' has text after ']'; separate fields with '.'");
                }
                bracket = next < token.length() ? next : -1;
            }
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("JSON path '" + text + "' names no field; write e.g. meta.requestId");
        }
        return new JsonPath(segments);
    }

    /** True if a leaf at {@code path} (fields and {@code [n]} indices) is this field or lies under it. */
    public boolean covers(List<String> path) {
        if (path.size() < segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (!s.equals("*") && !s.equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("$");
        for (String s : segments) {
            b.append(s.startsWith("[") ? "" : ".").append(s);
        }
        return b.toString();
    }
}
