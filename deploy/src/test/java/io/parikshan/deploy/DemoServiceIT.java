package io.parikshan.deploy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's pieces in deploy/demo: the sample service keeps its API for correct traffic and shows
 * its latent bug only to a key that differs from a stored one in case (driven by client.sh, curl),
 * client.sh catches wrong answers, and build-image.sh builds a runnable image once per source.
 */
class DemoServiceIT {

    static final Path DEMO = HostTool.DEPLOY.resolve("demo");
    static final String JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    static final String IMAGE = "parikshan-demo/sample-service:1";

    @TempDir
    Path tmp;

    private static HostTool.Result client(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", DEMO.resolve("client.sh").toString()));
        cmd.addAll(List.of(args));
        return HostTool.run(cmd, HostTool.DEPLOY, 120);
    }

    @Test
    void serviceAnswersCorrectTrafficRightAndServesAStaleValueOnlyForACaseVariantKey() throws Exception {
        HostTool.require("curl", "apt-get install curl");
        if (!Files.isExecutable(Path.of(JAVA_17))) {
            HostTool.skipOrFail(JAVA_17 + " is missing (the JDK 17 the demo service targets)");
        }
        Path app = Files.createDirectory(tmp.resolve("app"));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", app.toString(),
                DEMO.resolve("SampleService.java").toString())).isZero();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process service = new ProcessBuilder(JAVA_17, "-Xmx64m", "-cp", app.toString(), "SampleService",
                Integer.toString(port)).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(30, TimeUnit.SECONDS)).isEqualTo("sample service listening on " + port);
            String address = "127.0.0.1:" + port;

            HostTool.Result load = client("load", address, "30", "7");
            assertThat(load.status()).as(load.output()).isZero();
            assertThat(load.output()).isEqualTo("load: 62 requests to " + address + ", every answer right (request count now 62)");

            HostTool.Result trigger = client("trigger", address);
            assertThat(trigger.status()).as(trigger.output()).isZero();
            assertThat(trigger.output()).contains(
                    "GET /kv/user42 (never stored) -> 200 'alice@example.org'   (right answer: 404 'no such key')");
            // Lower-case keys are still right after the trigger.
            assertThat(client("load", address, "5", "8").status()).isZero();
        } finally {
            service.destroy();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientReportsAWrongAnswerAndRejectsABadAddress() throws Exception {
        HostTool.require("curl", "apt-get install curl");
        // A fake that stores nothing: every GET of a just-stored key is a wrong answer.
        HttpServer fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        fake.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = "no such key\n".getBytes(StandardCharsets.UTF_8);
            if ("PUT".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(204, -1);
            } else {
                ex.sendResponseHeaders(404, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        fake.start();
        try {
            HostTool.Result wrong = client("load", "127.0.0.1:" + fake.getAddress().getPort(), "3");
            assertThat(wrong.status()).isEqualTo(1);
            assertThat(wrong.output()).contains("WRONG ANSWER: GET /kv/k-1-1 -> 404 'no such key', expected 200 'v-1-1'");
        } finally {
            fake.stop(0);
        }
        HostTool.Result bad = client("load", "localhost", "3");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.output()).isEqualTo("client.sh: address 'localhost' is not host:port (e.g. 127.0.0.1:28080)");
        HostTool.Result rounds = client("load", "127.0.0.1:9", "many");
        assertThat(rounds.status()).isEqualTo(2);
        assertThat(rounds.output()).contains("rounds 'many' is not a positive number");
    }

    @Test
    void imageIsBuiltOncePerSourceAndServesTheApiWithHostUsr() throws Exception {
        HostTool.require("curl", "apt-get install curl");
        HostTool.Result info = HostTool.run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), HostTool.DEPLOY, 60);
        if (info.status() != 0) {
            HostTool.skipOrFail("Docker engine unreachable: " + info.output() + " (deploy/host/setup.sh starts it)");
        }
        HostTool.Result first = HostTool.run(List.of("bash", DEMO.resolve("build-image.sh").toString()), HostTool.DEPLOY, 180);
        assertThat(first.status()).as(first.output()).isZero();
        String id = docker("image", "inspect", "-f", "{{.Id}}", IMAGE);
        HostTool.Result again = HostTool.run(List.of("bash", DEMO.resolve("build-image.sh").toString()), HostTool.DEPLOY, 60);
        assertThat(again.output()).isEqualTo(IMAGE);
        assertThat(docker("image", "inspect", "-f", "{{.Id}}", IMAGE)).as("no rebuild for the same source").isEqualTo(id);
        assertThat(docker("image", "inspect", "-f", "{{ index .Config.Labels \"io.parikshan.demo.source-sha256\" }}", IMAGE))
                .matches("[0-9a-f]{64}");

        String container = "pk-demo-it-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            docker("run", "-d", "--name", container, "-v", "/usr:/usr:ro", "-p", "127.0.0.1::8080", IMAGE);
            String address = docker("port", container, "8080/tcp").lines().findFirst().orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!docker("logs", container).contains("sample service listening on 8080")) {
                assertThat(System.nanoTime()).as("service in %s did not start", container).isLessThan(deadline);
                Thread.sleep(100);
            }
            HostTool.Result load = client("load", address, "10");
            assertThat(load.status()).as(load.output()).isZero();
        } finally {
            HostTool.run(List.of("docker", "rm", "-f", container), HostTool.DEPLOY, 60);
        }
    }

    private static String docker(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        HostTool.Result r = HostTool.run(cmd, HostTool.DEPLOY, 120);
        assertThat(r.status()).as("%s: %s", cmd, r.output()).isZero();
        return r.output();
    }
}
