package io.parikshan.agent;

import io.parikshan.dsl.ProbeRun;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per run to {@code results.jsonl}, flushed per line so a reader on the host
 * (through {@code /proc/<pid>/root}) sees complete lines. An I/O failure disables the log, never the
 * application.
 */
final class JsonLinesLog implements RunSink {

    private final Path file;
    private BufferedWriter out;
    private boolean broken;

    JsonLinesLog(Path file) {
        this.file = file;
    }

    static String toJson(ProbeRun r) {
        return "{\"at\":" + Json.quote(r.at().toString())
                + ",\"suite\":" + Json.quote(r.suite())
                + ",\"probe\":" + Json.quote(r.probe())
                + ",\"test\":" + Json.quote(r.test())
                + ",\"phase\":" + Json.quote(r.phase().name().toLowerCase(java.util.Locale.ROOT))
                + ",\"outcome\":" + Json.quote(r.outcome().label())
                + ",\"message\":" + Json.quote(r.message())
                + ",\"durationSeconds\":" + (r.durationNanos() / 1e9)
                + ",\"context\":" + Json.quote(r.context()) + "}";
    }

    @Override
    public synchronized void record(ProbeRun run) {
        if (broken) {
            return;
        }
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            out.write(toJson(run));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }
}
