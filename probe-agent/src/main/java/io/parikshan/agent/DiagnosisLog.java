package io.parikshan.agent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A diagnosis's events, one JSON object a line in {@code <dir>/diag/<id>.jsonl}, flushed per line for
 * the host, which tails the file through {@code /proc/<pid>/root}. Every object starts with
 * {@code "event"} and {@code "text"} (the line a terminal shows). The last line is {@code "event":"end"}.
 * An I/O failure silences the log, never the application.
 */
final class DiagnosisLog {

    private final Path file;
    private BufferedWriter out;
    private boolean broken;
    private boolean ended;

    DiagnosisLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Writes {@code {"event":E,"text":T,<more>}}; {@code more} is JSON members without braces, or empty. */
    synchronized void write(String event, String text, String more) {
        if (broken || ended) {
            return;
        }
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            out.write("{\"event\":" + Json.quote(event) + ",\"text\":" + Json.quote(text)
                    + (more.isEmpty() ? "" : "," + more) + "}\n");
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }

    /** The last line: why the diagnosis ended. */
    synchronized void end(String reason) {
        write("end", "ended: " + reason, "\"reason\":" + Json.quote(reason));
        ended = true;
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // The lines are flushed already.
        }
    }

    synchronized boolean ended() {
        return ended;
    }
}
