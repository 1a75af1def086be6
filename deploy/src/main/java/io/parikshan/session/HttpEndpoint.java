package io.parikshan.session;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.parikshan.proxy.HostPort;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one way the host side serves Prometheus: the JDK's HTTP server with client_java's
 * {@link MetricsHandler} at {@code /metrics}, on two daemon threads, plus whatever other routes
 * its owner adds (the session's {@code /status} and {@code /sync}). Used by the session's control
 * endpoint and by {@code parikshan proxy}.
 */
public final class HttpEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;

    private HttpEndpoint(HttpServer server, ExecutorService threads, String url) {
        this.server = server;
        this.threads = threads;
        this.url = url;
    }

    /**
     * Binds {@code at} and serves {@code registry} at {@code /metrics} and {@code routes} beside it.
     *
     * @throws IOException if the address cannot be bound (the caller says what to do)
     */
    public static HttpEndpoint start(HostPort at, PrometheusRegistry registry, Map<String, HttpHandler> routes,
                                     String threadName) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(at.host(), at.port()), 16);
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/metrics", new MetricsHandler(registry));
        routes.forEach(server::createContext);
        server.start();
        String host = at.host().contains(":") ? "[" + at.host() + "]" : at.host();
        return new HttpEndpoint(server, threads, "http://" + host + ":" + server.getAddress().getPort());
    }

    /** e.g. {@code http://127.0.0.1:9464} */
    public String url() {
        return url;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
