package io.parikshan.proxy;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A positive amount of bytes as the user writes it: {@code 65536}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB}. */
public record ByteSize(long bytes) {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([kmgt]?i?b?)", Pattern.CASE_INSENSITIVE);

    public ByteSize {
        if (bytes <= 0) {
            throw new IllegalArgumentException("byte size " + bytes + " must be positive");
        }
    }

    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    public static ByteSize ofMebibytes(long mib) {
        return new ByteSize(Math.multiplyExact(mib, 1024L * 1024L));
    }

    /** Parses a size; units are binary (K = KiB = 1024). The exception message names the value. */
    public static ByteSize parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing size; write e.g. 64MiB");
        }
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed size '" + text + "'; write a positive number with an optional unit B, KiB, MiB, GiB, e.g. 64MiB");
        }
        long multiplier = switch (m.group(2).toLowerCase(Locale.ROOT).replace("i", "").replace("b", "")) {
            case "" -> 1L;
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown unit in size '" + text + "'; use B, KiB, MiB or GiB");
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n == 0) {
                throw new IllegalArgumentException("size '" + text + "' must be positive, e.g. 64MiB");
            }
            return new ByteSize(Math.multiplyExact(n, multiplier));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }

    @Override
    public String toString() {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + "GiB";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + "MiB";
        if (bytes % (1L << 10) == 0) return (bytes >> 10) + "KiB";
        return bytes + "B";
    }
}
