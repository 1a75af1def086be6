package io.parikshan.clone.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A JVM key-value store that owns its data directory the way embedded databases do: an
 * exclusive {@link FileChannel#lock()} on {@code store.lock} for its whole life, entries appended
 * to {@code entries} and synced. HTTP: {@code /put?KEY=VALUE}, {@code /get?KEY}, {@code /count}.
 */
public final class LockedStoreService {
    private LockedStoreService() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[1]));
        FileChannel lockFile = FileChannel.open(dir.resolve("store.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) {
            throw new IllegalStateException(dir + " is in use by another store");
        }
        Path entries = dir.resolve("entries");
        Map<String, String> store = new LinkedHashMap<>();
        if (Files.exists(entries)) {
            for (String line : Files.readAllLines(entries)) {
                String[] kv = line.split("=", 2);
                store.put(kv[0], kv[1]);
            }
        }
        FileChannel log = FileChannel.open(entries, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        HttpServer s = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 64);
        s.setExecutor(Executors.newFixedThreadPool(2));
        s.createContext("/put", ex -> {
            String[] kv = ex.getRequestURI().getRawQuery().split("=", 2);
            synchronized (store) {
                log.write(java.nio.ByteBuffer.wrap((kv[0] + "=" + kv[1] + "\n").getBytes(StandardCharsets.UTF_8)));
                log.force(false);
                store.put(kv[0], kv[1]);
            }
            answer(ex, 200, "ok");
        });
        s.createContext("/get", ex -> {
            String v;
            synchronized (store) {
                v = store.get(ex.getRequestURI().getRawQuery());
            }
            answer(ex, v == null ? 404 : 200, v == null ? "absent" : v);
        });
        s.createContext("/count", ex -> {
            int n;
            synchronized (store) {
                n = store.size();
            }
            answer(ex, 200, Integer.toString(n));
        });
        s.start();
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
