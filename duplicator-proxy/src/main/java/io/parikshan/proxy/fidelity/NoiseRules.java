package io.parikshan.proxy.fidelity;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What is expected to differ between production's and a clone's HTTP answers and is left out of
 * the comparison (Midas' superficial nondeterminism: time stamps, request ids).
 *
 * @param ignoredHeaders   header names, lower case ({@code date} is always among them)
 * @param ignoredJsonPaths fields of JSON bodies
 * @param bodyRegexes      every match in a body (read as ISO-8859-1, so byte for byte) is replaced by a placeholder
 */
public record NoiseRules(Set<String> ignoredHeaders, List<JsonPath> ignoredJsonPaths, List<Pattern> bodyRegexes) {

    /** Headers every comparison ignores: the time the answer was generated. */
    public static final Set<String> ALWAYS_IGNORED_HEADERS = Set.of("date");
    /** Ignores only {@code Date}. */
    public static final NoiseRules DEFAULT = new NoiseRules(Set.of(), List.of(), List.of());

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public NoiseRules {
        Set<String> headers = new LinkedHashSet<>(ALWAYS_IGNORED_HEADERS);
        for (String h : Objects.requireNonNull(ignoredHeaders, "ignored headers")) {
            if (h == null || !TOKEN.matcher(h.strip()).matches()) {
                throw new IllegalArgumentException("header name '" + h + "' is not a valid HTTP header name; write e.g. X-Request-Id");
            }
            headers.add(h.strip().toLowerCase(Locale.ROOT));
        }
        ignoredHeaders = Set.copyOf(headers);
        ignoredJsonPaths = List.copyOf(Objects.requireNonNull(ignoredJsonPaths, "ignored JSON paths"));
        bodyRegexes = List.copyOf(Objects.requireNonNull(bodyRegexes, "body regexes"));
    }

    /** Builds the rules from user text; each problem is a one-line {@link IllegalArgumentException}. */
    public static NoiseRules parse(List<String> ignoreHeaders, List<String> ignoreJsonPaths, List<String> ignoreRegexes) {
        List<JsonPath> paths = nullToEmpty(ignoreJsonPaths).stream().map(JsonPath::parse).toList();
        List<Pattern> regexes = nullToEmpty(ignoreRegexes).stream().map(NoiseRules::compile).toList();
        return new NoiseRules(Set.copyOf(nullToEmpty(ignoreHeaders).stream().map(h -> h == null ? "" : h).toList()),
                paths, regexes);
    }

    private static Pattern compile(String regex) {
        if (regex == null || regex.isEmpty()) {
            throw new IllegalArgumentException("body regex is empty; write what varies, e.g. 'id=[0-9a-f]{32}'");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("body regex '" + regex + "' is not a valid regular expression ("
                    + e.getDescription() + " at index " + e.getIndex() + "); fix it or quote it for the shell");
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    public boolean ignoresHeader(String lowerCaseName) {
        return ignoredHeaders.contains(lowerCaseName);
    }

    /** As {@link #ignoresHeader} for a name in any case, without allocating. */
    public boolean ignoresHeaderIgnoringCase(String name) {
        for (String h : ignoredHeaders) {
            if (h.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    public boolean ignoresJsonField(List<String> path) {
        for (JsonPath p : ignoredJsonPaths) {
            if (p.covers(path)) {
                return true;
            }
        }
        return false;
    }

    /** The regexes' sources, for display. */
    public List<String> bodyRegexSources() {
        return bodyRegexes.stream().map(Pattern::pattern).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseRules r && r.ignoredHeaders.equals(ignoredHeaders)
                && r.ignoredJsonPaths.equals(ignoredJsonPaths) && r.bodyRegexSources().equals(bodyRegexSources());
    }

    @Override
    public int hashCode() {
        return Objects.hash(ignoredHeaders, ignoredJsonPaths, bodyRegexSources());
    }
}
