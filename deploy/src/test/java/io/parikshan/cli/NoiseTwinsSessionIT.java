package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.parikshan.session.PortTakeover;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two noise clones from one checkpoint, on the real engine and CRIU: a session with
 * {@code --clones 2 --noise-clones} on the demo service under real curl clients freezes production
 * once for both clones, and once again for both on {@code parikshan sync}; the clients see every
 * answer right throughout.
 */
class NoiseTwinsSessionIT {

    static String image;

    @TempDir
    Path tmp;
    String prod;
    Process session;
    Path sessionLog;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker and CRIU", List.of());
        image = CloneBadInputIT.out("bash", CloneBadInputIT.repo().resolve("deploy/demo/build-image.sh").toString()).lines()
                .reduce((a, b) -> b).orElseThrow().strip();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null && session.isAlive()) {
            session.destroyForcibly();
            session.waitFor(30, TimeUnit.SECONDS);
        }
        if (prod != null) {
            for (String c : Clones.of(prod)) {
                CliRun.of("destroy", c);
            }
            PortTakeover.removeStale(prod::equals);
            CloneBadInputIT.run("docker", "rm", "-f", prod);
        }
    }

    @Test
    void both_noise_clones_come_from_one_freeze_at_the_start_and_at_a_sync() throws Exception {
        prod = "pk-noise-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CloneBadInputIT.sh("docker", "run", "-d", "--name", prod, "-v", "/usr:/usr:ro", "-p", "127.0.0.1:" + port + ":8080", image);
        int at = port;
        SessionWorkflowIT.await("production answers", Duration.ofSeconds(30),
                () -> SessionWorkflowIT.get("http://127.0.0.1:" + at + "/count") != null);
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 2)) {
            Thread.sleep(1000);
            sessionLog = tmp.resolve("session.log");
            session = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                    SessionWorkflowIT.JAR.toString(), "clone", prod, "--clones", "2", "--noise-clones", "--compare", "http",
                    "--status-every", "0s", "--drain", "5s", "--metrics", "127.0.0.1:0", "--resync-after-desyncs", "0")
                    .redirectErrorStream(true).redirectOutput(sessionLog.toFile()).start();
            SessionWorkflowIT.await("the session runs", Duration.ofSeconds(180), () -> {
                if (!session.isAlive()) {
                    fail("the session ended early (exit " + session.exitValue() + "):\n" + sessionOut());
                }
                return sessionOut().contains("Ctrl-C ends the session");
            });
            assertThat(checkpoints()).as("one freeze for both clones:\n" + sessionOut()).isEqualTo(1);
            List<String> first = Clones.of(prod);
            assertThat(first).hasSize(2);

            CliRun sync = CliRun.of("sync", prod);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            assertThat(checkpoints()).as("one more freeze for both fresh clones:\n" + sessionOut()).isEqualTo(2);
            List<String> after = Clones.of(prod);
            assertThat(after).hasSize(2).doesNotContainAnyElementsOf(first);
            Thread.sleep(2000);
            seen = load.stop();
        }
        session.destroy();
        assertThat(session.waitFor(60, TimeUnit.SECONDS)).as(sessionOut()).isTrue();
        assertThat(Clones.of(prod)).as("clones left after the session").isEmpty();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.ok()).isPositive();
    }

    private long checkpoints() throws IOException {
        return sessionOut().lines().filter(l -> l.contains("dump (frozen)")).count();
    }

    private String sessionOut() throws IOException {
        return Files.exists(sessionLog) ? Files.readString(sessionLog) : "";
    }
}
