package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
    SessionRun session;

    @BeforeAll
    static void host() throws Exception {
        HostReady.require("Docker and CRIU", List.of());
        image = SessionRun.demoImage();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (session != null) {
            session.close();
        }
        if (prod != null) {
            SessionRun.removeDemoProduction(prod);
        }
    }

    @Test
    void both_noise_clones_come_from_one_freeze_at_the_start_and_at_a_sync() throws Exception {
        prod = "pk-noise-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        int port = SessionRun.startDemoProduction(prod, image);
        CurlLoad.Outcome seen;
        try (CurlLoad load = CurlLoad.start(tmp.resolve("load"), port, 2)) {
            Thread.sleep(1000);
            session = SessionRun.start(prod, tmp.resolve("session.log"), List.of("--clones", "2", "--noise-clones",
                    "--compare", "http", "--status-every", "0s", "--drain", "5s", "--metrics", "127.0.0.1:0",
                    "--resync-after-desyncs", "0"));
            assertThat(session.checkpoints()).as("one freeze for both clones:\n" + session.out()).isEqualTo(1);
            List<String> first = Clones.of(prod);
            assertThat(first).hasSize(2);

            CliRun sync = CliRun.of("sync", prod);
            assertThat(sync.exitCode()).as(sync.err()).isZero();
            assertThat(session.checkpoints()).as("one more freeze for both fresh clones:\n" + session.out()).isEqualTo(2);
            List<String> after = Clones.of(prod);
            assertThat(after).hasSize(2).doesNotContainAnyElementsOf(first);
            Thread.sleep(2000);
            seen = load.stop();
        }
        session.end();
        assertThat(Clones.of(prod)).as("clones left after the session").isEmpty();
        assertThat(seen.failures()).as("what production's clients saw wrong").isEmpty();
        assertThat(seen.ok()).isPositive();
    }
}
