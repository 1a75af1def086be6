package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An engine with experimental features off cannot checkpoint. Turning them off on the real
 * engine would restart it under other tests, so a loopback stand-in answers the three calls
 * the check makes (ping, version, info) the way Docker 20.10 does.
 */
class ExperimentalOffTest {

    private HttpServer engine;

    @BeforeEach
    void startStandIn() throws Exception {
        engine = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        engine.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath().replaceFirst("^/v[0-9.]+", "");
            String body = switch (path) {
                case "/_ping" -> "OK";
                case "/version" -> "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"Experimental\":false}";
                case "/info" -> "{\"DockerRootDir\":\"/var/lib/docker\"}";
                default -> null;
            };
            byte[] b = (body == null ? "{\"message\":\"not here\"}" : body).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", body != null && body.equals("OK") ? "text/plain" : "application/json");
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.stop(0);
    }

    @Test
    void doctorAndCloneSayExperimentalIsOffAndHowToTurnItOn() {
        String host = "tcp://127.0.0.1:" + engine.getAddress().getPort();
        CliRun doctor = CliRun.of("doctor", "--docker-host", host);
        assertThat(doctor.exitCode()).isEqualTo(1);
        assertThat(doctor.out()).containsPattern("FAIL +experimental +off; set \\{\"experimental\": true\\}");

        CliRun clone = CliRun.of("clone", "web", "--docker-host", host);
        assertThat(clone.exitCode()).isEqualTo(1);
        if (Long.parseLong(uid()) == 0) {
            assertThat(clone.errLines()).hasSize(1);
            assertThat(clone.errLines().get(0)).contains("experimental", "daemon.json");
        }
    }

    private static String uid() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[2];
        } catch (java.io.IOException e) {
            return "-1";
        }
    }
}
