package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump started ahead of the freeze, on a real container with real runc and CRIU. */
class CheckpointDumperIT extends CloneHostFixture {

    @TempDir
    Path tmp;

    @Test
    void aStartedDumpWaitsForTheFreezeAndStopsCleanlyWhenAbandoned() throws Exception {
        String prod = DockerTestHost.uniqueName("dumper");
        containers.add(prod);
        DockerTestHost.startCounterService(prod);
        int port = DockerTestHost.hostPort(prod, 8080);
        DockerTestHost.awaitGet(port, "/count");
        long pid = Long.parseLong(DockerTestHost.docker("inspect", "-f", "{{.State.Pid}}", prod));
        String id = DockerTestHost.docker("inspect", "-f", "{{.Id}}", prod);
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path work = Files.createDirectories(tmp.resolve("work"));

        CheckpointDumper dumper = new CheckpointDumper(CheckpointDumper.DEFAULT_RUNC_ROOT);
        CheckpointDumper.Started started = dumper.start(id, images, work);
        try {
            assertThat(started.ready().get(60, TimeUnit.SECONDS)).isEqualTo("ready");
            // CRIU waits in the hook: production is neither frozen nor dumped, and serves
            Thread.sleep(300);
            assertThat(started.exited()).isNotDone();
            assertThat(DockerTestHost.get(port, "/count")).isNotBlank();
            assertThat(Files.readString(Freezer.of(pid, Freezer.CGROUP_ROOT).cgroup().resolve("freezer.state")).strip())
                    .isEqualTo("THAWED");
        } finally {
            started.close();
        }
        // close() waited for runc; onExit() completes a moment later
        assertThat(started.exited().get(5, TimeUnit.SECONDS).exitValue()).isNotZero();
        try (var files = Files.list(images)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("pages-"))).isEmpty();
        }
        assertThat(DockerTestHost.get(port, "/count")).isNotBlank();

        // a fresh dump of the same container still works after the abandoned one
        AtomicBoolean deltaRan = new AtomicBoolean();
        try (CheckpointDumper.Started again = dumper.start(id, images, work)) {
            CheckpointDumper.Dump dump = again.finish(() -> Freezer.freeze(pid), () -> {
                deltaRan.set(true);
                return 7L;
            });
            assertThat(dump.deltaBytes()).isEqualTo(7L);
            assertThat(dump.frozenNanos()).isPositive();
        }
        assertThat(deltaRan).isTrue();
        try (var files = Files.list(images)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("pages-"))).isNotEmpty();
        }
        assertThat(Files.readString(Freezer.of(pid, Freezer.CGROUP_ROOT).cgroup().resolve("freezer.state")).strip())
                .isEqualTo("THAWED");
        assertThat(DockerTestHost.get(port, "/count")).isNotBlank();
    }

    @Test
    void aDumpOfNoContainerFailsWithCriusReasonAndFreezesNothing() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        AtomicBoolean froze = new AtomicBoolean();
        try (CheckpointDumper.Started started = new CheckpointDumper(CheckpointDumper.DEFAULT_RUNC_ROOT)
                .start("pk-no-such-container-" + ProcessHandle.current().pid(), images, work)) {
            assertThatThrownBy(() -> started.finish(() -> {
                froze.set(true);
                throw new AssertionError("must not freeze");
            }, () -> 0L)).isInstanceOf(ParikshanException.class).hasMessageContaining("CRIU could not dump");
        }
        assertThat(froze).isFalse();
    }
}
