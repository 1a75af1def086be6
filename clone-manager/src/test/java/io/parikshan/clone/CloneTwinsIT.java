package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two clones from one checkpoint, on the real engine and CRIU: production (the JVM counter service
 * with a volume) is frozen once, CRIU's images are restored twice, and each twin is a clone of its
 * own (name, files, sandbox, address) holding production's state of that one moment.
 */
class CloneTwinsIT extends CloneHostFixture {

    @Test
    void twins_restored_from_one_checkpoint_hold_the_same_state_and_own_everything_else() throws Exception {
        String prod = DockerTestHost.uniqueName("twins");
        String volume = prod + "-data";
        containers.add(prod);
        volumes.add(volume);
        DockerTestHost.startCounterService(prod, "-v", volume + ":/data");
        int prodPort = DockerTestHost.hostPort(prod, 8080);
        DockerTestHost.awaitGet(prodPort, "/count");
        docker("exec", prod, "sh", "-c", "echo layer > /state.txt; echo volume > /data/f");
        for (int i = 0; i < 5; i++) {
            DockerTestHost.curl(prodPort, "/count");
        }

        String a = prod + "-a";
        String b = prod + "-b";
        clones.add(a);
        clones.add(b);
        AtomicInteger freezes = new AtomicInteger();
        List<CloneReport> reports = cloneManager().cloneTwins(
                new CloneRequest(prod, a, List.of(PortPublication.parse("127.0.0.1:0:8080")))
                        .withTwins(List.of(new CloneRequest.Twin(b, null))),
                new CloneProgress() {
                    @Override
                    public void productionFrozen() {
                        freezes.incrementAndGet();
                    }
                });
        assertThat(freezes).as("production frozen once for both").hasValue(1);
        assertThat(reports).extracting(CloneReport::cloneName).containsExactly(a, b);
        CloneReport ra = reports.get(0);
        CloneReport rb = reports.get(1);
        assertThat(rb.frozenMillis()).isEqualTo(ra.frozenMillis());
        assertThat(rb.cloneIp()).isNotEqualTo(ra.cloneIp());
        assertThat(rb.sandboxNetwork()).isNotEqualTo(ra.sandboxNetwork()).isEqualTo("parikshan-sbx-" + b);

        // the same moment of production: both continue from one count (production has moved on since)
        long first = Long.parseLong(DockerTestHost.curl(ra.cloneIp(), 8080, "/count"));
        assertThat(Long.parseLong(DockerTestHost.curl(rb.cloneIp(), 8080, "/count"))).isEqualTo(first);
        assertThat(Long.parseLong(DockerTestHost.curl(DockerTestHost.publishedPort(rb, 8080), "/count"))).isEqualTo(first + 1);
        // the clones' requests never reached production: its next count is the first clone's
        assertThat(Long.parseLong(DockerTestHost.curl(prodPort, "/count"))).isEqualTo(first);
        // the images gone once both run
        assertThat(new CloneNames(a, DockerTestHost.STATE_ROOT).imagesDir()).doesNotExist();
        assertThat(new CloneNames(b, DockerTestHost.STATE_ROOT).imagesDir()).doesNotExist();

        // files of their own: production's as frozen, then each one's changes its own
        for (String twin : List.of(a, b)) {
            assertThat(DockerTestHost.exec(twin, "cat", "/state.txt", "/data/f")).isEqualTo("layer\nvolume");
            assertThat(DockerTestHost.exec(twin, "cat", "/.parikshan-clone")).contains("clone=" + twin);
        }
        DockerTestHost.exec(a, "sh", "-c", "echo changed-in-a > /data/f; echo changed-in-a > /state.txt");
        assertThat(DockerTestHost.exec(b, "cat", "/state.txt", "/data/f")).isEqualTo("layer\nvolume");
        assertThat(docker("exec", prod, "cat", "/state.txt", "/data/f")).isEqualTo("layer\nvolume");

        // one goes, the other stays
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(a);
        assertThat(new CloneRuntime().state(a)).isEmpty();
        assertThat(new CloneRuntime().state(b)).hasValueSatisfying(s -> assertThat(s.running()).isTrue());
        assertThat(Long.parseLong(DockerTestHost.curl(rb.cloneIp(), 8080, "/count"))).isEqualTo(first + 2);
    }

    @Test
    void a_twin_name_taken_fails_before_production_is_frozen_and_leaves_nothing() {
        String prod = DockerTestHost.uniqueName("twins");
        containers.add(prod);
        DockerTestHost.startCounterService(prod);
        AtomicInteger freezes = new AtomicInteger();
        assertThatThrownBy(() -> cloneManager().cloneTwins(new CloneRequest(prod, prod + "-a", List.of())
                        .withTwins(List.of(new CloneRequest.Twin(prod, null))),
                new CloneProgress() {
                    @Override
                    public void productionFrozen() {
                        freezes.incrementAndGet();
                    }
                }))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("name '" + prod + "' is taken");
        assertThat(freezes).hasValue(0);
        assertThat(new CloneNames(prod + "-a", DockerTestHost.STATE_ROOT).stateDir()).doesNotExist();
        assertThat(HostCommand.run(List.of("iptables", "-w", "-S"), Duration.ofSeconds(30)).stdout()).doesNotContain(prod + "-a");
    }

    @Test
    void twins_whose_copies_do_not_fit_the_disk_are_refused_before_production_is_frozen() throws Exception {
        String prod = DockerTestHost.uniqueName("twins");
        containers.add(prod);
        DockerTestHost.startCounterService(prod);
        // 700 MiB in production's writable layer: one copy fits a 1200 MiB state root (the doctor asks
        // for 1 GiB free there), two do not
        docker("exec", prod, "sh", "-c", "dd if=/dev/zero of=/big bs=1M count=700 status=none");
        Path small = Files.createTempDirectory("pk-small-state");
        HostCommand.Result mount = HostCommand.run(List.of("mount", "-t", "tmpfs", "-o", "size=1200m,mode=0700", "tmpfs", small.toString()),
                Duration.ofSeconds(30));
        assertThat(mount.ok()).as(mount.reason()).isTrue();
        try {
            AtomicInteger freezes = new AtomicInteger();
            assertThatThrownBy(() -> new CloneManager(engine, small).cloneTwins(new CloneRequest(prod, prod + "-a", List.of())
                            .withTwins(List.of(new CloneRequest.Twin(prod + "-b", null))),
                    new CloneProgress() {
                        @Override
                        public void productionFrozen() {
                            freezes.incrementAndGet();
                        }
                    }))
                    .isInstanceOf(ParikshanException.class)
                    .hasMessageContaining("not enough disk for the copies of production's files for 2 clone(s)")
                    .hasMessageContaining("free at " + small)
                    .hasMessageContaining("ask for fewer clones");
            assertThat(freezes).hasValue(0);
            try (var left = Files.list(small.resolve("clones"))) {
                assertThat(left).as("clone state left").isEmpty();
            } catch (java.nio.file.NoSuchFileException none) {
                // nothing was ever made there
            }
            assertThat(HostCommand.run(List.of("iptables", "-w", "-S"), Duration.ofSeconds(30)).stdout()).doesNotContain(prod + "-a");
            assertThat(docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", prod).strip()).isEqualTo("running false");
        } finally {
            for (String made : List.of(prod + "-a", prod + "-b")) { // only if the check failed to refuse them
                new CloneTeardown(engine, small).destroy(made);
            }
            HostCommand.run(List.of("umount", small.toString()), Duration.ofSeconds(30));
            Files.deleteIfExists(small);
        }
    }
}
