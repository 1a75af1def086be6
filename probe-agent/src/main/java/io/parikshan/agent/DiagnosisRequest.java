package io.parikshan.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * One diagnosis as the host asked for it, read from {@code <dir>/diag/<id>.request} (Java properties:
 * expressions may hold commas, which an agent argument cannot). Keys: {@code kind} (watch, trace,
 * stack, threads, heapdump, jfr), {@code method} ({@code Class::method}, globs {@code *}), {@code when},
 * {@code show}, {@code at} (entry, exit, error), {@code limit}, {@code timeoutMillis},
 * {@code costOverMillis}, {@code top}, {@code durationMillis}, {@code force}.
 */
record DiagnosisRequest(String id, Kind kind, String method, String when, String show, At at, int limit,
                        long timeoutMillis, double costOverMillis, int top, long durationMillis, boolean force) {

    enum Kind { WATCH, TRACE, STACK, THREADS, HEAPDUMP, JFR }

    enum At { ENTRY, EXIT, ERROR }

    /** More methods than this need {@code force}: a broad pattern slows the clone for little insight. */
    static final int METHOD_LIMIT = 50;

    DiagnosisRequest {
        if (!id.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("diagnosis id '" + id + "' is not [A-Za-z0-9-]{1,64}");
        }
        if ((kind == Kind.WATCH || kind == Kind.TRACE || kind == Kind.STACK) && (method == null || method.isBlank())) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " needs a method: 'Class::method'");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " is not a positive number");
        }
    }

    static DiagnosisRequest read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String name = file.getFileName().toString();
        String id = name.endsWith(".request") ? name.substring(0, name.length() - ".request".length()) : name;
        return new DiagnosisRequest(id,
                Kind.valueOf(p.getProperty("kind", "").toUpperCase(Locale.ROOT)),
                p.getProperty("method"),
                blankToNull(p.getProperty("when")),
                blankToNull(p.getProperty("show")),
                At.valueOf(p.getProperty("at", "exit").toUpperCase(Locale.ROOT)),
                Integer.parseInt(p.getProperty("limit", "100")),
                Long.parseLong(p.getProperty("timeoutMillis", "300000")),
                Double.parseDouble(p.getProperty("costOverMillis", "0")),
                Integer.parseInt(p.getProperty("top", "0")),
                Long.parseLong(p.getProperty("durationMillis", "0")),
                Boolean.parseBoolean(p.getProperty("force", "false")));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    String kindName() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
