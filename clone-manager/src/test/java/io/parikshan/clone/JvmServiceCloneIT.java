package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Live-clones a JVM HTTP service with in-memory state while a keep-alive client uses it. */
class JvmServiceCloneIT extends CloneHostFixture {


    @Test
    void cloneContinuesFromProductionStateWhileProductionKeepsItsConnection() throws Exception {
        String prod = DockerTestHost.uniqueName("jvm");
        containers.add(prod);
        DockerTestHost.startCounterService(prod, "--label", "app=counter", "-e", "GREETING=hello");
        int prodPort = DockerTestHost.hostPort(prod, 8080);
        DockerTestHost.awaitGet(prodPort, "/count");

        String cloneName = prod + "-c";
        clones.add(cloneName);
        try (KeepAliveClient client = new KeepAliveClient(prodPort)) {
            long beforeClone = Long.parseLong(client.get("/count"));
            assertThat(beforeClone).isGreaterThanOrEqualTo(2);

            // The client keeps using its one connection during the whole clone.
            AtomicBoolean cloning = new AtomicBoolean(true);
            List<Long> seenDuring = new CopyOnWriteArrayList<>();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            Thread traffic = new Thread(() -> {
                while (cloning.get()) {
                    try {
                        seenDuring.add(Long.parseLong(client.get("/count")));
                        Thread.sleep(20);
                    } catch (Exception e) {
                        errors.add(e);
                        return;
                    }
                }
            }, "keep-alive-traffic");
            traffic.start();

            List<ClonePhase> progress = new CopyOnWriteArrayList<>();
            CloneReport report;
            try {
                report = cloneManager().clone(
                        new CloneRequest(prod, cloneName, List.of(PortPublication.parse("127.0.0.1:0:8080"))),
                        new CloneProgress() {
                            @Override
                            public void finished(ClonePhase phase, Duration took, String detail) {
                                progress.add(phase);
                            }
                        });
            } finally {
                cloning.set(false);
                traffic.join();
            }

            assertThat(errors).as("production's keep-alive client during the clone").isEmpty();
            assertThat(seenDuring).as("requests served during the clone").isNotEmpty().isSorted();
            long afterClone = Long.parseLong(client.get("/count"));
            assertThat(afterClone).isGreaterThan(seenDuring.get(seenDuring.size() - 1));
            assertThat(progress).containsExactly(ClonePhase.values());
            assertThat(report.frozenMillis()).isPositive().isLessThan(report.totalMillis());
            assertThat(report.imageBytes()).isGreaterThan(1 << 20);

            // The clone answers from the checkpointed count, and counts on its own from there.
            int clonePort = DockerTestHost.publishedPort(report, 8080);
            long cloneFirst = Long.parseLong(DockerTestHost.curl(clonePort, "/count"));
            assertThat(cloneFirst).isGreaterThan(beforeClone).isLessThanOrEqualTo(afterClone);
            assertThat(Long.parseLong(DockerTestHost.curl(clonePort, "/count"))).isEqualTo(cloneFirst + 1);
            assertThat(Long.parseLong(DockerTestHost.curl(clonePort, "/count"))).isEqualTo(cloneFirst + 2);
            // ... while production never sees the clone's requests.
            assertThat(Long.parseLong(client.get("/count"))).isEqualTo(afterClone + 1);

            // Production's connection came back closed in the clone and is open in production.
            assertThat(establishedConnections(prod)).isGreaterThanOrEqualTo(1);
            assertThat(establishedConnections(cloneName)).isZero();
            // The clone is also reached at its address on the sandbox bridge, as the duplicator does.
            assertThat(Long.parseLong(DockerTestHost.curl(report.cloneIp(), 8080, "/count"))).isEqualTo(cloneFirst + 3);
        }

        // Production's own process settings (from its OCI spec), its own identity, marked as a clone,
        // no images left behind.
        assertThat(cloneExec(cloneName, "sh", "-c", "tr '\\0' '\\n' </proc/1/environ")).contains("GREETING=hello");
        assertThat(cloneExec(cloneName, "cat", "/.parikshan-clone")).contains("clone=" + cloneName, "production=" + prod);
        assertThat(DockerTestHost.dockerRun("exec", prod, "cat", "/.parikshan-clone").ok()).isFalse();
        assertThat(cloneExec(cloneName, "cat", "/proc/net/route")).contains("eth0");
        CloneNames names = new CloneNames(cloneName, DockerTestHost.STATE_ROOT);
        assertThat(names.imagesDir()).doesNotExist();
        assertThat(ImageStore.isTmpfs(ImageStore.ROOT)).as("images go to a memory file system").isTrue();
        Path stateDir = names.stateDir();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
        assertThat(new CloneInventory(DockerTestHost.STATE_ROOT).clones()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo(cloneName);
            assertThat(c.production()).isEqualTo(prod);
            assertThat(c.status()).isEqualTo("running");
        });
        long clonePid = new CloneRuntime().state(cloneName).orElseThrow().pid();

        // Teardown removes all the clone owns, and again is harmless; production keeps serving.
        CloneTeardown teardown = new CloneTeardown(engine, DockerTestHost.STATE_ROOT);
        assertThat(teardown.destroy(cloneName)).isTrue();
        assertThat(new CloneRuntime().state(cloneName)).isEmpty();
        assertThat(DockerTestHost.alive(clonePid)).as("the clone's process after destroy").isFalse();
        assertThat(CloneRootfs.mounted(names.rootfsDir())).isFalse();
        assertThat(DockerTestHost.dockerRun("network", "inspect", "parikshan-sbx-" + cloneName).ok()).isFalse();
        assertThat(HostCommand.run(List.of("iptables", "-w", "-S"), Duration.ofSeconds(30)).stdout())
                .doesNotContain("parikshan:" + cloneName);
        assertThat(HostCommand.run(List.of("iptables", "-w", "-t", "nat", "-S"), Duration.ofSeconds(30)).stdout())
                .doesNotContain("parikshan:" + cloneName);
        assertThat(stateDir).doesNotExist();
        assertThat(teardown.destroy(cloneName)).isFalse();
        assertThat(docker("inspect", "-f", "{{.State.Status}}", prod)).isEqualTo("running");
        assertThat(DockerTestHost.awaitGet(DockerTestHost.hostPort(prod, 8080), "/count")).isNotBlank();
    }

    private static String cloneExec(String clone, String... command) {
        HostCommand.Result r = new CloneRuntime().exec(clone, List.of(command), Duration.ofSeconds(30));
        assertThat(r.ok()).as("exec in %s: %s", clone, r.stderr()).isTrue();
        return r.stdout().strip();
    }

    /** ESTABLISHED TCP sockets in a container's (or clone's) network namespace, read from /proc/net/tcp. */
    private static long establishedConnections(String container) {
        String table = container.endsWith("-c") ? cloneExec(container, "cat", "/proc/net/tcp", "/proc/net/tcp6")
                : docker("exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6");
        return table.lines().skip(1).map(String::strip).filter(l -> !l.startsWith("sl"))
                .map(l -> l.split("\\s+")).filter(f -> f.length > 3 && f[3].equals("01")).count();
    }
}
