package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container whose process runs as another user than root dumps and clones. Root on some hosts
 * lacks CAP_SYS_RESOURCE, and CRIU's prlimit() on such a process is then refused; setup.sh's
 * patched CRIU reads the limits from /proc/PID/limits instead.
 */
class NonRootDumpIT extends CloneHostFixture {

    private static final String NOBODY = "65534";
    private static final String PAGE = "/copyright";

    @TempDir
    Path tmp;

    @Test
    void aProcessRunningAsNobodyDumpsWhileProductionKeepsServing() throws Exception {
        String prod = startNobodyHttpd("nonroot");
        int port = DockerTestHost.hostPort(prod, 8080);
        String page = DockerTestHost.awaitGet(port, PAGE);
        assertThat(uid(prod)).isEqualTo(NOBODY);
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path work = Files.createDirectories(tmp.resolve("work"));

        HostCommand.Result dump = HostCommand.run(List.of("runc", "--root", CheckpointDumper.DEFAULT_RUNC_ROOT.toString(),
                "checkpoint", "--leave-running", "--image-path", images.toString(), "--work-path", work.toString(),
                docker("inspect", "-f", "{{.Id}}", prod)), Duration.ofMinutes(1));

        assertThat(dump.ok()).as("runc checkpoint of a process running as nobody: %s; CRIU said: %s",
                dump.reason(), criuErrors(work.resolve("dump.log"))).isTrue();
        try (var files = Files.list(images)) {
            assertThat(files.filter(f -> f.getFileName().toString().matches("pages-\\d+\\.img")).mapToLong(NonRootDumpIT::size))
                    .as("bytes in pages-*.img").isNotEmpty().anyMatch(n -> n > 0);
        }
        assertThat(DockerTestHost.curl(port, PAGE)).isEqualTo(page);
        assertThat(uid(prod)).isEqualTo(NOBODY);
    }

    @Test
    void theCloneOfANobodyProcessRunsAsNobodyAndAnswers() throws Exception {
        String prod = startNobodyHttpd("nonroot-clone");
        int port = DockerTestHost.hostPort(prod, 8080);
        String page = DockerTestHost.awaitGet(port, PAGE);
        String cloneName = prod + "-c";
        clones.add(cloneName);

        CloneReport report = cloneManager().clone(new CloneRequest(prod, cloneName,
                List.of(PortPublication.parse("127.0.0.1:0:8080"))), CloneProgress.SILENT);

        assertThat(uid(cloneName)).isEqualTo(NOBODY);
        assertThat(DockerTestHost.curl(DockerTestHost.publishedPort(report, 8080), PAGE)).isEqualTo(page);
        assertThat(DockerTestHost.curl(port, PAGE)).isEqualTo(page);
    }

    /** busybox httpd as nobody, serving the host's busybox docs (every Debian package has a copyright file). */
    private String startNobodyHttpd(String what) {
        String name = DockerTestHost.uniqueName(what);
        containers.add(name);
        docker("run", "-d", "--name", name, "-v", "/usr:/usr:ro", "-p", "127.0.0.1::8080", DockerTestHost.IMAGE,
                "setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "busybox", "httpd", "-f", "-p", "8080", "-h", "/usr/share/doc/busybox");
        return name;
    }

    /** The real uid of a container's (or clone's) main process, as the host sees it. */
    private static String uid(String container) throws IOException {
        String pid = new CloneRuntime().state(container).map(s -> Long.toString(s.pid()))
                .orElseGet(() -> docker("inspect", "-f", "{{.State.Pid}}", container));
        return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")[1]).findFirst().orElseThrow();
    }

    private static String criuErrors(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no " + log + ")";
        }
        return Files.readAllLines(log).stream().filter(l -> l.contains("Error")).collect(Collectors.joining(" | "));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
