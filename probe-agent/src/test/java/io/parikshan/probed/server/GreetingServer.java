package io.parikshan.probed.server;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A real HTTP service for the probe tests: {@code GET /greet?name=x} answers {@code hello, x}.
 * Prints {@code listening <port>} once it serves. Args: [bind address] [port].
 */
public final class GreetingServer {

    private GreetingServer() {
    }

    public static void main(String[] args) throws IOException {
        String bind = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        Greeter greeter = new Greeter();
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/greet", exchange -> {
            try (exchange) {
                String query = exchange.getRequestURI().getRawQuery();
                String name = query != null && query.startsWith("name=")
                        ? URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8) : "world";
                byte[] body = greeter.greet(name).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        System.out.println("listening " + server.getAddress().getPort());
        System.out.flush();
    }
}
