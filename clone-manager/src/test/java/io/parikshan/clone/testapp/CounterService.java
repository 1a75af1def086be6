package io.parikshan.clone.testapp;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JVM HTTP service with in-memory state, run inside test containers:
 * {@code GET /count} answers how many times it was called, {@code GET /env/NAME} an
 * environment variable. A clone must continue the count from production's value.
 */
public final class CounterService {
    private CounterService() {
    }

    public static void main(String[] args) throws Exception {
        AtomicLong count = new AtomicLong();
        HttpServer s = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 64);
        s.setExecutor(Executors.newFixedThreadPool(2));
        s.createContext("/count", ex -> {
            byte[] b = Long.toString(count.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
    }
}
