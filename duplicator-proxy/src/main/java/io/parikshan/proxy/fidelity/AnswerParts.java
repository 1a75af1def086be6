package io.parikshan.proxy.fidelity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * An HTTP answer cut into the parts that are compared, after the noise rules: {@code status},
 * {@code header:<name>} (lower-case name, repeated fields joined by newlines), and either
 * {@code body} or, for JSON bodies when JSON paths are ignored or clones are compared with each
 * other, one {@code body:$.path} part per leaf so that a noisy field does not hide a real
 * difference elsewhere. Framing headers (Content-Length, Transfer-Encoding) are left out: the
 * decoded body is compared instead. A missing or unparseable answer is the single part
 * {@code answer}.
 */
public final class AnswerParts {

    /** What replaces each body regex match. */
    public static final String IGNORED = "<ignored>";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> FRAMING = java.util.Set.of("content-length", "transfer-encoding");

    private AnswerParts() {
    }

    /** The parts of one answer. Values of body parts are ISO-8859-1 strings (one char per byte). */
    public static Map<String, String> of(HttpMessage answer, NoiseRules rules, boolean perJsonField) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("status", Integer.toString(answer.status()));
        for (HttpMessage.Header h : answer.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (FRAMING.contains(name) || rules.ignoresHeader(name)) {
                continue;
            }
            parts.merge("header:" + name, h.value(), (a, b) -> a + "\n" + b);
        }
        byte[] body = answer.body();
        if (answer.bodyTruncated()) {
            parts.put("body", "<" + answer.bodyLength() + " bytes, not kept>");
            return parts;
        }
        boolean wantJson = answer.isJson() && (perJsonField || !rules.ignoredJsonPaths().isEmpty());
        if (wantJson && jsonLeaves(body, rules, parts)) {
            return parts;
        }
        String text = new String(body, StandardCharsets.ISO_8859_1);
        for (java.util.regex.Pattern p : rules.bodyRegexes()) {
            text = p.matcher(text).replaceAll(Matcher.quoteReplacement(IGNORED));
        }
        parts.put("body", text);
        return parts;
    }

    /**
     * True if two answers are the same before any rule is applied (status, the compared headers in
     * order, the body byte for byte). Rules only ever make more answers equal, so answers this
     * calls the same need no normalising: the cheap path for the common case.
     */
    public static boolean sameAsSent(HttpMessage a, HttpMessage b, NoiseRules rules) {
        if (a.status() != b.status() || a.bodyTruncated() || b.bodyTruncated() || !java.util.Arrays.equals(a.body(), b.body())) {
            return false;
        }
        return HttpMessage.sameHeaderLines(a, b, (head, from, to) -> HttpMessage.nameIs(head, from, to, "content-length")
                || HttpMessage.nameIs(head, from, to, "transfer-encoding") || ignored(head, from, to, rules));
    }

    private static boolean ignored(byte[] head, int from, int to, NoiseRules rules) {
        for (String h : rules.ignoredHeaders()) {
            if (HttpMessage.nameIs(head, from, to, h)) {
                return true;
            }
        }
        return false;
    }

    /** The parts of an answer that never came (or could not be read). */
    public static Map<String, String> missing(String why) {
        return Map.of("answer", why);
    }

    private static boolean jsonLeaves(byte[] body, NoiseRules rules, Map<String, String> parts) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
        if (root == null || root.isMissingNode()) {
            return false;
        }
        Map<String, String> leaves = new LinkedHashMap<>();
        flatten(root, new ArrayList<>(), rules, leaves);
        for (Map.Entry<String, String> e : leaves.entrySet()) {
            String value = e.getValue();
            for (java.util.regex.Pattern p : rules.bodyRegexes()) {
                value = p.matcher(value).replaceAll(Matcher.quoteReplacement(IGNORED));
            }
            parts.put("body:" + e.getKey(), value);
        }
        return true;
    }

    private static void flatten(JsonNode node, List<String> path, NoiseRules rules, Map<String, String> out) {
        if (!path.isEmpty() && rules.ignoresJsonField(path)) {
            return;
        }
        if (node.isObject() && node.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                path.add(f.getKey());
                flatten(f.getValue(), path, rules, out);
                path.remove(path.size() - 1);
            }
        } else if (node.isArray() && node.size() > 0) {
            for (int i = 0; i < node.size(); i++) {
                path.add("[" + i + "]");
                flatten(node.get(i), path, rules, out);
                path.remove(path.size() - 1);
            }
        } else {
            out.put(new JsonPath(path.isEmpty() ? List.of("[root]") : path).toString(), node.toString());
        }
    }
}
