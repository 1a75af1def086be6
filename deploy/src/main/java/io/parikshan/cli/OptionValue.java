package io.parikshan.cli;

import java.util.function.Supplier;

/** Parsing of one option's text, so that every bad value's one-line reason starts with the option's name. */
final class OptionValue {

    private OptionValue() {
    }

    /** What {@code parse} makes of the option's text; its refusal comes back prefixed with {@code option}. */
    static <T> T parse(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}
