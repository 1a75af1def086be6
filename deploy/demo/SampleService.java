import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's production service: a small key-value store over HTTP that counts its requests.
 *   GET  /count          -> requests served so far (in-memory state a clone must carry over)
 *   PUT  /kv/KEY  body   -> stores body
 *   GET  /kv/KEY         -> the stored value
 */
public final class SampleService {
    private static final AtomicLong REQUESTS = new AtomicLong();
    private static final Map<String, String> STORE = new ConcurrentHashMap<>();

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 128);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/count", ex -> reply(ex, 200, Long.toString(REQUESTS.incrementAndGet())));
        server.createContext("/kv/", SampleService::kv);
        server.start();
        System.out.println("sample service listening on " + port);
    }

    private static void kv(HttpExchange ex) throws IOException {
        REQUESTS.incrementAndGet();
        String key = ex.getRequestURI().getPath().substring("/kv/".length());
        switch (ex.getRequestMethod()) {
            case "PUT" -> {
                STORE.put(key, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                reply(ex, 204, "");
            }
            case "GET" -> {
                String v = STORE.get(key);
                reply(ex, v == null ? 404 : 200, v == null ? "no such key\n" : v);
            }
            default -> reply(ex, 405, "GET or PUT\n");
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, status == 204 ? -1 : b.length);
        if (status != 204) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }
}
