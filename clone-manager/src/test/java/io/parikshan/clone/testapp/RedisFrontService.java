package io.parikshan.clone.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A front tier calling a Redis tier, run inside test containers: {@code GET /incr/K} increments
 * K in Redis, {@code GET /get/K} reads it, both through the address of the Redis host resolved
 * once at start (as nginx resolves an upstream); {@code GET /byname/K} reads it resolving the
 * name on each call. A new Redis connection per request; Redis unreachable answers 502.
 * Arguments: port, Redis host, Redis port.
 */
public final class RedisFrontService {
    private RedisFrontService() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String redisHost = args[1];
        int redisPort = Integer.parseInt(args[2]);
        InetAddress resolvedAtStart = InetAddress.getByName(redisHost);
        HttpServer s = HttpServer.create(new InetSocketAddress(port), 64);
        s.setExecutor(Executors.newFixedThreadPool(4));
        s.createContext("/incr/", ex -> answer(ex, () -> call(resolvedAtStart, redisPort, "INCR", key(ex, "/incr/"))));
        s.createContext("/get/", ex -> answer(ex, () -> call(resolvedAtStart, redisPort, "GET", key(ex, "/get/"))));
        s.createContext("/byname/", ex -> answer(ex,
                () -> call(InetAddress.getByName(redisHost), redisPort, "GET", key(ex, "/byname/"))));
        s.start();
    }

    private interface Call {
        String run() throws IOException;
    }

    private static String key(HttpExchange ex, String prefix) {
        return ex.getRequestURI().getPath().substring(prefix.length());
    }

    private static void answer(HttpExchange ex, Call call) throws IOException {
        int status = 200;
        String body;
        try {
            body = call.run();
        } catch (IOException e) {
            status = 502;
            body = "redis unreachable: " + e;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    /** One Redis command on a new connection; its reply as text ("nil" for none). */
    private static String call(InetAddress host, int port, String... words) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(2000);
            StringBuilder req = new StringBuilder("*" + words.length + "\r\n");
            for (String w : List.of(words)) {
                req.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String line = line(in);
            switch (line.charAt(0)) {
                case ':', '+' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return "nil";
                    }
                    byte[] data = in.readNBytes(n + 2);
                    return new String(data, 0, n, StandardCharsets.UTF_8);
                }
                default -> throw new IOException("redis said " + line);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("redis closed the connection");
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
