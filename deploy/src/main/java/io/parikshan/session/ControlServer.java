package io.parikshan.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.HostPort;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The session's one HTTP endpoint: {@code GET /metrics} (Prometheus: proxy, session and probe
 * series), {@code GET /status} (JSON, what {@code parikshan status} prints) and {@code POST /sync}
 * (re-sync every clone now; answers when done). Bound to loopback by default: it is a control port.
 */
public final class ControlServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpEndpoint endpoint;

    private ControlServer(HttpEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    static ControlServer start(HostPort at, PrometheusRegistry registry, Session session) {
        Map<String, HttpHandler> routes = Map.of("/status", ex -> {
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, Map.of("error", "use GET /status"));
                return;
            }
            send(ex, 200, session.status());
        }, "/sync", ex -> {
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, Map.of("error", "use POST /sync"));
                return;
            }
            try {
                List<String> fresh = session.resync(ResyncReason.MANUAL).get(10, TimeUnit.MINUTES);
                send(ex, 200, Map.of("clones", fresh));
            } catch (ExecutionException e) {
                send(ex, 500, Map.of("error", String.valueOf(e.getCause().getMessage())));
            } catch (TimeoutException | RuntimeException e) {
                send(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ex, 503, Map.of("error", "the session is ending"));
            }
        });
        try {
            return new ControlServer(HttpEndpoint.start(at, registry, routes, "parikshan-control"));
        } catch (IOException e) {
            throw new ParikshanException("cannot serve metrics on " + at + " (" + e.getMessage()
                    + "); stop what holds it or choose another address with --metrics HOST:PORT");
        }
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    /** e.g. {@code http://127.0.0.1:9464} */
    public String url() {
        return endpoint.url();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
