package io.parikshan.proxy.it;

import io.netty.buffer.PooledByteBufAllocator;
import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.Scrape;
import io.parikshan.proxy.tcp.TrafficDuplicator;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.DivergentExchange;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fidelity with real servers and clients on loopback: redis-server and nginx from Debian's
 * packages as production and clones, redis-cli, redis-benchmark, wrk and curl as traffic.
 * Runs under Netty's paranoid leak detection (Failsafe's argLine); any leak report fails.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FidelityIT {

    private static final Logger LEAK_LOGGER = Logger.getLogger("io.netty.util.ResourceLeakDetector");
    private final List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler leakCatcher = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains("LEAK")) {
                leaks.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @TempDir
    Path work;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    FidelityIT() {
        LEAK_LOGGER.addHandler(leakCatcher);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
        LEAK_LOGGER.removeHandler(leakCatcher);
        assertThat(leaks).as("Netty leak reports").isEmpty();
    }

    // ---- redis: a deterministic service, TCP comparison, state digest -----------------------------

    @Test
    void identical_redis_servers_show_no_divergence_over_thousands_of_commands_and_end_with_equal_digests() throws Exception {
        ExternalServer.require("redis-server", "redis-cli", "redis-benchmark");
        int productionPort = ExternalServer.freePort();
        int clonePort = ExternalServer.freePort();
        redis("pk-fid-redis-production", productionPort);
        redis("pk-fid-redis-clone", clonePort);
        PrometheusRegistry registry = new PrometheusRegistry();
        TrafficDuplicator proxy = proxy(new HostPort("127.0.0.1", productionPort),
                FidelityConfig.of(CompareMode.AUTO), registry, new CloneTarget("redis-clone", new HostPort("127.0.0.1", clonePort)));
        String port = Integer.toString(proxy.localAddress().getPort());

        // one connection, thousands of commands whose answers depend on the state before them
        StringBuilder commands = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            commands.append(resp("SET", "k" + (i % 500), "v" + i));
            commands.append(resp("INCR", "counter"));
            commands.append(resp("LPUSH", "list" + (i % 7), Integer.toString(i)));
            commands.append(resp("GET", "k" + ((i * 7) % 500)));
        }
        Path pipe = work.resolve("commands.resp");
        Files.writeString(pipe, commands, StandardCharsets.US_ASCII);
        String piped = ExternalServer.run(work, 60, pipe, "redis-cli", "-h", "127.0.0.1", "-p", port, "--pipe");
        assertThat(piped).contains("errors: 0, replies: 12000");
        // several connections at once; SET answers do not depend on how they interleave
        ExternalServer.run(work, 60, "redis-benchmark", "-h", "127.0.0.1", "-p", port, "-c", "8", "-n", "4000",
                "-r", "1000", "-t", "set", "-q");

        awaitSettled(proxy, registry, "redis-clone");
        CloneFidelity f = proxy.fidelity().clone("redis-clone").orElseThrow();
        assertThat(f.divergenceLog()).as("divergent exchanges").isEmpty();
        assertThat(f.divergentExchanges()).isZero();
        assertThat(f.droppedComparisons()).isEmpty();
        // the --pipe connection, redis-benchmark's 8 clients and its CONFIG connection, all compared as TCP streams
        assertThat(f.comparedExchanges()).isGreaterThanOrEqualTo(9);
        assertThat(f.comparedBytes()).as("answer bytes compared").isGreaterThan(12_000 * 4 + 4000 * 5);
        assertThat(Scrape.value(registry, "parikshan_fidelity_compared_exchanges_total", "redis-clone"))
                .isEqualTo(f.comparedExchanges());
        assertThat(Scrape.value(registry, "parikshan_fidelity_divergence_ratio", "redis-clone")).isZero();

        String productionDigest = ExternalServer.run(work, 10, "redis-cli", "-p", Integer.toString(productionPort), "DEBUG", "DIGEST");
        String cloneDigest = ExternalServer.run(work, 10, "redis-cli", "-p", Integer.toString(clonePort), "DEBUG", "DIGEST");
        assertThat(productionDigest.strip()).matches("[0-9a-f]{40}").isNotEqualTo("0".repeat(40));
        assertThat(cloneDigest).as("clone state digest").isEqualTo(productionDigest);
    }

    private void redis(String name, int port) throws Exception {
        closeables.add(ExternalServer.start(name, work, List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", work.toString(), "--dbfilename", name + ".rdb", "--enable-debug-command", "local"), port));
    }

    private static String resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    // ---- nginx: deterministic, noisy and changed answers, HTTP comparison ---------------------------

    private record Nginx(int production, int sameCopy, int changed, int noisy, int noisyCopy1, int noisyCopy2) {
    }

    /** One nginx with a port per role: the same files twice, a changed build, and answers carrying time and random ids. */
    private Nginx nginx() throws Exception {
        ExternalServer.require("nginx");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path www = Files.createDirectories(work.resolve("www"));
        Path changed = Files.createDirectories(work.resolve("www-changed"));
        Random random = new Random(6);
        String page = "<html><body>" + "parikshan ".repeat(100) + "</body></html>\n";
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            big.append("line ").append(i).append(' ').append(random.nextInt()).append('\n');
        }
        write(www, "index.html", page);
        write(www, "data.json", "{\"service\":\"shop\",\"items\":[1,2,3],\"version\":1}\n");
        write(www, "big.txt", big.toString());
        write(www, "version.txt", "build version 1 " + "x".repeat(300) + "\n");
        for (String f : List.of("index.html", "data.json", "big.txt")) {
            Files.copy(www.resolve(f), changed.resolve(f));
        }
        write(changed, "version.txt", "build version 2 " + "x".repeat(300) + "\n");
        // same modification times, so ETag and Last-Modified agree and only the content can differ
        FileTime t = FileTime.fromMillis(1_700_000_000_000L);
        for (Path dir : List.of(www, changed)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.setLastModifiedTime(f, t);
                }
            }
        }
        Nginx ports = new Nginx(ExternalServer.freePort(), ExternalServer.freePort(), ExternalServer.freePort(),
                ExternalServer.freePort(), ExternalServer.freePort(), ExternalServer.freePort());
        String noisy = "location / { add_header X-Request-Id $request_id; return 200 \"hello at $msec id $request_id\\n\"; }";
        String conf = """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx.err warn;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/tmp_body;
                  proxy_temp_path %1$s/tmp_proxy;
                  fastcgi_temp_path %1$s/tmp_fcgi;
                  uwsgi_temp_path %1$s/tmp_uwsgi;
                  scgi_temp_path %1$s/tmp_scgi;
                  keepalive_requests 1000000;
                  types { text/html html; application/json json; text/plain txt; }
                  gzip on;
                  gzip_types text/plain application/json;
                  gzip_min_length 256;
                  server { listen 127.0.0.1:%2$d; root %1$s/www; }
                  server { listen 127.0.0.1:%3$d; root %1$s/www; }
                  server { listen 127.0.0.1:%4$d; root %1$s/www-changed; }
                  server { listen 127.0.0.1:%5$d; %8$s }
                  server { listen 127.0.0.1:%6$d; %8$s }
                  server { listen 127.0.0.1:%7$d; %8$s }
                }
                """.formatted(work, ports.production, ports.sameCopy, ports.changed, ports.noisy, ports.noisyCopy1,
                ports.noisyCopy2, noisy);
        Path confFile = work.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        closeables.add(ExternalServer.start("pk-fid-nginx", work, List.of("nginx", "-p", work.toString(), "-c", confFile.toString()),
                ports.production, ports.sameCopy, ports.changed, ports.noisy, ports.noisyCopy1, ports.noisyCopy2));
        return ports;
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Test
    void identical_nginx_shows_no_divergence_over_thousands_of_requests_keep_alive_pipelined_and_chunked() throws Exception {
        Nginx n = nginx();
        PrometheusRegistry registry = new PrometheusRegistry();
        TrafficDuplicator proxy = proxy(local(n.production), FidelityConfig.of(CompareMode.AUTO), registry,
                new CloneTarget("web", local(n.sameCopy)));
        String base = "http://127.0.0.1:" + proxy.localAddress().getPort();

        long wrkRequests = wrk(base + "/index.html", 4, 3);
        // gzip answers are chunked; curl reuses one connection for all of them
        String curled = ExternalServer.run(work, 30, curl(List.of("--compressed"),
                List.of(base + "/big.txt", base + "/data.json", base + "/index.html", base + "/missing", base + "/big.txt")));
        assertThat(curled.lines().toList()).containsExactly("200", "200", "200", "404", "200");
        // pipelined requests in one write, a HEAD among them, read back in one go
        byte[] pipelined = pipelined(proxy, List.of("GET /index.html", "HEAD /big.txt", "GET /data.json", "GET /nothing-here",
                "GET /big.txt"));
        assertThat(new String(pipelined, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK").contains("HTTP/1.1 404 Not Found");

        awaitSettled(proxy, registry, "web");
        CloneFidelity f = proxy.fidelity().clone("web").orElseThrow();
        assertThat(f.divergenceLog()).as("divergent exchanges").isEmpty();
        assertThat(f.divergentExchanges()).isZero();
        assertThat(f.noiseExchanges()).isZero();
        assertThat(f.droppedComparisons()).isEmpty();
        assertThat(wrkRequests).isGreaterThan(1000);
        assertThat(f.comparedExchanges()).as("every answered request compared").isGreaterThanOrEqualTo(wrkRequests + 10);
        assertThat(Scrape.value(registry, "parikshan_fidelity_divergent_exchanges_total", "web")).isZero();
        assertThat(Scrape.value(registry, "parikshan_fidelity_compared_exchanges_total", "web")).isEqualTo(f.comparedExchanges());
    }

    @Test
    void time_and_random_ids_diverge_without_rules_and_not_with_the_right_rules_or_two_clone_noise() throws Exception {
        Nginx n = nginx();
        int requests = 200;

        PrometheusRegistry plain = new PrometheusRegistry();
        TrafficDuplicator noRules = proxy(local(n.noisy), FidelityConfig.of(CompareMode.HTTP), plain,
                new CloneTarget("copy", local(n.noisyCopy1)));
        curlRepeated(noRules, "/", requests);
        awaitSettled(noRules, plain, "copy");
        CloneFidelity without = noRules.fidelity().clone("copy").orElseThrow();
        assertThat(without.comparedExchanges()).isEqualTo(requests);
        assertThat(without.divergentExchanges()).as("random ids always differ").isEqualTo(requests);
        DivergentExchange first = without.divergenceLog().get(0);
        assertThat(first.differences()).anyMatch(d -> d.startsWith("header:x-request-id"));
        assertThat(first.differences()).anyMatch(d -> d.startsWith("body differs at byte "));
        assertThat(first.request()).startsWith("GET / HTTP/1.1");
        assertThat(Scrape.value(plain, "parikshan_fidelity_divergence_ratio", "copy")).isEqualTo(1.0);

        PrometheusRegistry ruled = new PrometheusRegistry();
        FidelityConfig rules = FidelityConfig.parse("auto", List.of("X-Request-Id"), List.of(),
                List.of("at [0-9]+\\.[0-9]+ id [0-9a-f]{32}"), false);
        TrafficDuplicator withRules = proxy(local(n.noisy), rules, ruled, new CloneTarget("copy", local(n.noisyCopy1)));
        curlRepeated(withRules, "/", requests);
        awaitSettled(withRules, ruled, "copy");
        CloneFidelity with = withRules.fidelity().clone("copy").orElseThrow();
        assertThat(with.comparedExchanges()).isEqualTo(requests);
        assertThat(with.divergentExchanges()).isZero();
        assertThat(with.divergenceLog()).isEmpty();

        PrometheusRegistry diffy = new PrometheusRegistry();
        TrafficDuplicator twoClones = proxy(local(n.noisy), FidelityConfig.of(CompareMode.AUTO).withTwoCloneNoise(true), diffy,
                new CloneTarget("copy-1", local(n.noisyCopy1)), new CloneTarget("copy-2", local(n.noisyCopy2)));
        curlRepeated(twoClones, "/", requests);
        awaitSettled(twoClones, diffy, "copy-1");
        awaitSettled(twoClones, diffy, "copy-2");
        for (String clone : List.of("copy-1", "copy-2")) {
            CloneFidelity f = twoClones.fidelity().clone(clone).orElseThrow();
            assertThat(f.comparedExchanges()).as(clone).isEqualTo(requests);
            assertThat(f.divergentExchanges()).as(clone + " divergent").isZero();
            assertThat(f.noiseExchanges()).as(clone + " noise").isEqualTo(requests);
            assertThat(Scrape.value(diffy, "parikshan_fidelity_noise_exchanges_total", clone)).isEqualTo(requests);
        }
    }

    @Test
    void a_changed_build_in_the_clone_is_reported_with_the_exact_exchange() throws Exception {
        Nginx n = nginx();
        PrometheusRegistry registry = new PrometheusRegistry();
        TrafficDuplicator proxy = proxy(local(n.production), FidelityConfig.of(CompareMode.AUTO), registry,
                new CloneTarget("candidate", local(n.changed)));
        String base = "http://127.0.0.1:" + proxy.localAddress().getPort();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            urls.add(base + "/index.html");
            urls.add(base + "/data.json");
            if (i % 2 == 0) {
                urls.add(base + "/version.txt");
            }
        }
        ExternalServer.run(work, 30, curl(List.of(), urls));

        awaitSettled(proxy, registry, "candidate");
        CloneFidelity f = proxy.fidelity().clone("candidate").orElseThrow();
        assertThat(f.comparedExchanges()).isEqualTo(25);
        assertThat(f.divergentExchanges()).isEqualTo(5);
        assertThat(f.divergenceRatio()).isEqualTo(0.2);
        assertThat(f.divergenceLog()).hasSize(5);
        DivergentExchange d = f.divergenceLog().get(0);
        assertThat(d.protocol()).isEqualTo("http");
        assertThat(d.exchange()).isEqualTo(2); // index.html, data.json, then version.txt on curl's one connection
        assertThat(d.request()).startsWith("GET /version.txt HTTP/1.1\r\n");
        assertThat(d.productionAnswer()).startsWith("HTTP/1.1 200 OK").contains("build version 1");
        assertThat(d.cloneAnswer()).startsWith("HTTP/1.1 200 OK").contains("build version 2");
        assertThat(d.differences()).singleElement().asString()
                .startsWith("body differs at byte 14 ").contains("\"build version 1").contains("\"build version 2");
        assertThat(Scrape.value(registry, "parikshan_fidelity_divergence_ratio", "candidate")).isEqualTo(0.2);

        // re-sync: the clone is swapped for a faithful one under the same name; its record starts again
        proxy.replaceClone("candidate", new CloneTarget("candidate", local(n.sameCopy)));
        ExternalServer.run(work, 30, curl(List.of(), List.of(base + "/version.txt", base + "/index.html")));
        awaitSettled(proxy, registry, "candidate");
        CloneFidelity resynced = proxy.fidelity().clone("candidate").orElseThrow();
        assertThat(resynced.comparedExchanges()).isEqualTo(2);
        assertThat(resynced.divergentExchanges()).isZero();
        assertThat(resynced.divergenceLog()).isEmpty();
        assertThat(Scrape.value(registry, "parikshan_fidelity_divergence_ratio", "candidate")).isZero();
        assertThat(Scrape.value(registry, "parikshan_fidelity_divergent_exchanges_total", "candidate"))
                .as("Prometheus counters keep counting across re-syncs").isEqualTo(5);
        assertThat(Scrape.value(registry, "parikshan_fidelity_compared_exchanges_total", "candidate")).isEqualTo(27);
    }

    // ---- TCP details with in-test servers ------------------------------------------------------------

    @Test
    void a_byte_changed_in_a_tcp_answer_is_reported_at_its_offset() throws Exception {
        LoopbackServer production = new LoopbackServer(LoopbackServer.Behaviour.ECHO, 0);
        LoopbackServer clone = new LoopbackServer(LoopbackServer.Behaviour.ECHO_ALTERED, 100_000);
        closeables.add(production);
        closeables.add(clone);
        PrometheusRegistry registry = new PrometheusRegistry();
        TrafficDuplicator proxy = proxy(production.address(), FidelityConfig.of(CompareMode.AUTO), registry,
                new CloneTarget("altered", clone.address()));
        byte[] payload = new byte[300_000];
        new Random(1).nextBytes(payload);
        payload[0] = 0; // not a request line: compared as TCP
        byte[] small = "same both ways".getBytes(StandardCharsets.US_ASCII);
        assertThat(LoopbackClient.send(HostPort.of(proxy.localAddress()), small).answer()).isEqualTo(small);
        assertThat(LoopbackClient.send(HostPort.of(proxy.localAddress()), payload).answer()).isEqualTo(payload);

        awaitSettled(proxy, registry, "altered");
        CloneFidelity f = proxy.fidelity().clone("altered").orElseThrow();
        assertThat(f.comparedExchanges()).isEqualTo(2);
        assertThat(f.divergentExchanges()).isEqualTo(1);
        DivergentExchange d = f.divergenceLog().get(0);
        assertThat(d.protocol()).isEqualTo("tcp");
        assertThat(d.differences().get(0)).startsWith("answers differ from byte 100000 (production ");
        // judged at the first difference: while the client was still sending ("N+ bytes"), or just after
        assertThat(d.differences().get(1)).matches("client to server: [0-9]+\\+? bytes crc32c [0-9a-f]+ .*");
        assertThat(d.productionAnswer()).startsWith(" [bytes from 99936] ");
    }

    @Test
    void a_comparison_that_would_exceed_the_budget_is_dropped_and_production_is_untouched() throws Exception {
        LoopbackServer production = new LoopbackServer(LoopbackServer.Behaviour.ECHO, 0);
        // answers only once the client is done: production's whole answer would have to be held
        LoopbackServer clone = new LoopbackServer(LoopbackServer.Behaviour.SUMMARY, 0);
        closeables.add(production);
        closeables.add(clone);
        PrometheusRegistry registry = new PrometheusRegistry();
        TrafficDuplicator proxy = TrafficDuplicator.start(DuplicatorConfig.of(HostPort.parse("127.0.0.1:0"), production.address(),
                        List.of(new CloneTarget("late", clone.address())))
                .withBudgets(ByteSize.parse("512KiB"), ByteSize.parse("64MiB"))
                .withFidelity(FidelityConfig.of(CompareMode.TCP)), registry);
        closeables.add(proxy);
        byte[] block = new byte[64 * 1024];
        new Random(2).nextBytes(block);
        // Paced: the next block goes only once the clone has read the last one, so the clone's feed never
        // holds more than a block and the budget that runs out is the comparison's (production's answer
        // held while the clone says nothing), not the feed's (a clone slow to read, dropped as desynced).
        LoopbackClient.Exchange ex = LoopbackClient.stream(HostPort.of(proxy.localAddress()), block, 64, // 4 MiB
                written -> awaitQuietly(() -> clone.connections.size() == 1 && clone.connections.get(0).bytes >= written));
        assertThat(ex.answer().length).isEqualTo(block.length * 64);
        awaitSettled(proxy, registry, "late");
        CloneFidelity f = proxy.fidelity().clone("late").orElseThrow();
        assertThat(f.droppedComparisons()).containsEntry("budget", 1L);
        assertThat(f.comparedExchanges()).isZero();
        assertThat(Scrape.value(registry, "parikshan_fidelity_dropped_comparisons_total", "late")).isEqualTo(1);
        assertThat(proxy.bufferedBytes()).as("everything held was given back").isZero();
        // the clone still gets the whole stream, though it may still be reading it when the comparison is settled
        await("the clone got the whole stream", Duration.ofSeconds(30),
                () -> clone.connections.size() == 1 && clone.connections.get(0).bytes == block.length * 64L);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static HostPort local(int port) {
        return new HostPort("127.0.0.1", port);
    }

    private TrafficDuplicator proxy(HostPort production, FidelityConfig fidelity, PrometheusRegistry registry, CloneTarget... clones) {
        TrafficDuplicator d = TrafficDuplicator.start(DuplicatorConfig.of(HostPort.parse("127.0.0.1:0"), production, List.of(clones))
                .withFidelity(fidelity), registry);
        closeables.add(d);
        return d;
    }

    /** Waits until no client or clone connection is open, so every comparison is settled. */
    private static void awaitSettled(TrafficDuplicator proxy, PrometheusRegistry registry, String clone) throws InterruptedException {
        await("connections and comparisons settled", Duration.ofSeconds(60),
                () -> proxy.activeConnections() == 0 && Scrape.value(registry, "parikshan_clone_active_connections", clone) == 0);
    }

    /** {@link #await} for a writer thread: gives up silently after 30 s, leaving the test's assertions to fail. */
    private static void awaitQuietly(BooleanSupplier condition) {
        try {
            await("paced client", Duration.ofSeconds(30), condition);
        } catch (AssertionError e) {
            // the assertions after the stream say what went wrong
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** wrk for a few seconds; returns the requests it completed. */
    private long wrk(String url, int connections, int seconds) throws Exception {
        ExternalServer.require("wrk");
        String out = ExternalServer.run(work, seconds + 30, "wrk", "-t1", "-c" + connections, "-d" + seconds + "s", url);
        Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
        assertThat(m.find()).as("wrk output: %s", out).isTrue();
        assertThat(out).doesNotContain("Non-2xx");
        return Long.parseLong(m.group(1));
    }

    /** {@code count} requests for {@code path} over one keep-alive connection (curl). */
    private void curlRepeated(TrafficDuplicator proxy, String path, int count) throws Exception {
        ExternalServer.require("curl");
        String url = "http://127.0.0.1:" + proxy.localAddress().getPort() + path;
        String out = ExternalServer.run(work, 60, curl(List.of(), java.util.Collections.nCopies(count, url)));
        assertThat(out.lines()).hasSize(count).allMatch("200"::equals);
    }

    /** A curl command fetching every URL over one connection, printing each status code on a line. */
    private static String[] curl(List<String> options, List<String> urls) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", "%{http_code}\\n"));
        cmd.addAll(options);
        for (String u : urls) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add(u);
        }
        return cmd.toArray(String[]::new);
    }

    /** Sends all requests in one write (the last asks to close) and reads every answer. */
    private static byte[] pipelined(TrafficDuplicator proxy, List<String> requestLines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < requestLines.size(); i++) {
            b.append(requestLines.get(i)).append(" HTTP/1.1\r\nHost: test\r\n")
                    .append(i == requestLines.size() - 1 ? "Connection: close\r\n" : "").append("\r\n");
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.localAddress().getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answers = new ByteArrayOutputStream();
            in.transferTo(answers);
            byte[] all = answers.toByteArray();
            assertThat(Arrays.equals(all, new byte[0])).isFalse();
            return all;
        }
    }
}
