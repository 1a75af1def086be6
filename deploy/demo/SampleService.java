import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's production service: a small key-value store over HTTP that counts its requests.
 *   GET  /count          -> requests served so far (in-memory state a clone must carry over)
 *   PUT  /kv/KEY  body   -> stores body (204)
 *   GET  /kv/KEY         -> the stored value (200), or 404 "no such key"
 *
 * It carries a realistic latent bug for the demo's probe suite to find (see {@link KeyValueStore}):
 * keys are case-sensitive, but the read cache in front of the store folds them to lower case. For
 * keys that are already lower case (what well-behaved clients send) everything is right; after
 * {@code PUT /kv/User42} and {@code GET /kv/User42}, a {@code GET /kv/user42} answers 200 with
 * User42's value although user42 was never stored. Clients see a plausible answer, nothing more.
 */
public final class SampleService {
    private static final AtomicLong REQUESTS = new AtomicLong();
    private static final KeyValueStore STORE = new KeyValueStore();

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

    /**
     * Values by exact (case-sensitive) key, with a read-through cache in front: hot keys are read far
     * more often than written, and a write invalidates the key's cache entry.
     *
     * <p>THE LATENT BUG (deliberate, for the demo): the cache is keyed by the lower-cased key, "so
     * that clients that vary the case of a key share one entry", while the store itself is
     * case-sensitive. Two keys that differ only in case share a cache entry: whichever is read first
     * fills it, and the other is then served that value (or served a value where it should be 404).
     * Lower-case keys (e.g. {@code k-3-17}) map to themselves and are always served correctly.
     */
    static final class KeyValueStore {
        /** A crude bound so the cache cannot grow without limit; a full cache starts over. */
        private static final int CACHE_LIMIT = 10_000;

        private final Map<String, String> values = new ConcurrentHashMap<>();
        private final Map<String, String> readCache = new ConcurrentHashMap<>();

        void put(String key, String value) {
            values.put(key, value);
            // After the store write, so a reader that refills the entry sees the new value.
            readCache.remove(cacheKey(key));
        }

        /** The value a GET serves: from the cache, else from the store (then cached); null when absent. */
        String get(String key) {
            if (readCache.size() >= CACHE_LIMIT) {
                readCache.clear();
            }
            return readCache.computeIfAbsent(cacheKey(key), k -> values.get(key));
        }

        /** The value as stored under exactly this key, bypassing the cache (for diagnostics). */
        String stored(String key) {
            return values.get(key);
        }

        private static String cacheKey(String key) {
            return key.toLowerCase(Locale.ROOT);
        }
    }
}
