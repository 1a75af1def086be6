package io.parikshan.dsl;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A glob over names: {@code *} matches any run of characters (dots included), {@code ?} one
 * character; everything else is literal. {@code com.example.*Handler} matches
 * {@code com.example.web.GreetingHandler}.
 */
public record NamePattern(String glob) {

    public NamePattern {
        Objects.requireNonNull(glob, "glob");
        if (glob.isBlank()) {
            throw new IllegalArgumentException("name pattern is blank: give a name or a glob such as com.example.*");
        }
    }

    public boolean matches(String name) {
        return compiled().matcher(name).matches();
    }

    /** The equivalent Java regular expression, for matchers that take one. */
    public String regex() {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    private Pattern compiled() {
        return Pattern.compile(regex());
    }

    @Override
    public String toString() {
        return glob;
    }
}
