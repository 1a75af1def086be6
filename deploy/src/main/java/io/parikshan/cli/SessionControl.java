package io.parikshan.cli;

import io.parikshan.contract.ParikshanException;
import io.parikshan.session.SessionFile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Finds running sessions through their session files and calls their control endpoint. */
final class SessionControl {

    private SessionControl() {
    }

    /** The running sessions, or the one of {@code production}; a one-line error when it has none. */
    static List<SessionFile.Entry> find(Path stateRoot, String production) {
        List<SessionFile.Entry> all = SessionFile.running(stateRoot);
        if (production == null) {
            return all;
        }
        List<SessionFile.Entry> one = all.stream().filter(e -> e.production().equals(production)).toList();
        if (one.isEmpty()) {
            throw new ParikshanException("no session running for '" + production + "'"
                    + (all.isEmpty() ? "" : " (running: " + all.stream().map(SessionFile.Entry::production).toList() + ")")
                    + "; start one with parikshan clone " + production + " --port CONTAINER_PORT");
        }
        return one;
    }

    /** The body of a 2xx answer; anything else is a one-line error. */
    static String call(SessionFile.Entry e, String method, String path, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(e.controlUrl() + path)).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new ParikshanException("the session for " + e.production() + " answered " + r.statusCode() + ": "
                        + r.body().strip().replaceAll("\\s+", " "));
            }
            return r.body();
        } catch (IOException ex) {
            throw new ParikshanException("cannot reach the session for " + e.production() + " at " + e.controlUrl()
                    + " (" + ex.getMessage() + "); is pid " + e.pid() + " still running?");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ParikshanException("interrupted");
        }
    }
}
