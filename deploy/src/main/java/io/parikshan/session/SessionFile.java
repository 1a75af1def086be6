package io.parikshan.session;

import com.fasterxml.jackson.databind.JsonNode;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <state-dir>/sessions/<production>.json}: how {@code parikshan status} and {@code parikshan
 * sync} find a running session (its pid and control URL). Files of sessions whose process is gone
 * are ignored and removed.
 */
public final class SessionFile {

    /** A running session as its file describes it. */
    public record Entry(String production, long pid, String controlUrl, String started) {
    }

    private final Path path;

    private SessionFile(Path path) {
        this.path = path;
    }

    static Path dir(Path stateRoot) {
        return stateRoot.resolve("sessions");
    }

    static SessionFile write(Path stateRoot, String production, String controlUrl) {
        Path dir = dir(stateRoot);
        Path f = dir.resolve(production + ".json");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("production", production);
        m.put("pid", ProcessHandle.current().pid());
        m.put("controlUrl", controlUrl);
        m.put("started", Instant.now().toString());
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + production + ".json.tmp");
            Files.writeString(tmp, ControlServer.JSON.writeValueAsString(m));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ParikshanException("cannot write the session file " + f + ": " + e.getMessage()
                    + "; check --state-dir");
        }
        return new SessionFile(f);
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sessions whose process still runs; files of dead ones are removed. */
    public static List<Entry> running(Path stateRoot) {
        List<Entry> found = new ArrayList<>();
        Path dir = dir(stateRoot);
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    JsonNode n = ControlServer.JSON.readTree(f.toFile());
                    Entry e = new Entry(n.path("production").asText(), n.path("pid").asLong(),
                            n.path("controlUrl").asText(), n.path("started").asText());
                    if (ProcessHandle.of(e.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                        found.add(e);
                    } else {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException | RuntimeException unreadable) {
                    // a file being written, or not ours: skip it
                }
            }
        } catch (IOException e) {
            throw new ParikshanException("cannot read " + dir + ": " + e.getMessage());
        }
        return found;
    }

    static void requireNoneRunning(Path stateRoot, String production) {
        for (Entry e : running(stateRoot)) {
            if (e.production().equals(production)) {
                throw new ParikshanException("a session for '" + production + "' is already running (pid " + e.pid()
                        + ", " + e.controlUrl() + "); end it with Ctrl-C or kill " + e.pid() + " first");
            }
        }
    }
}
