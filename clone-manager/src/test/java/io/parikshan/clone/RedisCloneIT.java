package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Clones Debian's redis-server whose data lives in a named volume (append-only file) and in
 * the writable layer; the clone has the same data, and its writes never reach production's.
 */
class RedisCloneIT extends CloneHostFixture {


    @Test
    void cloneHoldsProductionsDataAndWritesToItsOwnCopy() throws Exception {
        String prod = DockerTestHost.uniqueName("redis");
        String volume = prod + "-data";
        containers.add(prod);
        volumes.add(volume);
        docker("run", "-d", "--name", prod, "-v", "/usr:/usr:ro", "-v", volume + ":/data",
                "-p", "127.0.0.1::6379", DockerTestHost.IMAGE,
                "redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no",
                "--dir", "/data", "--appendonly", "yes", "--appendfsync", "always", "--save", "");
        int prodPort = DockerTestHost.hostPort(prod, 6379);
        awaitPong(prodPort);
        for (int i = 0; i < 200; i++) {
            redis(prodPort, "SET", "user:" + i, "value-" + i);
        }
        docker("exec", prod, "sh", "-c", "echo written-in-layer > /tmp/layer-file");
        Path prodData = Path.of(docker("volume", "inspect", "-f", "{{.Mountpoint}}", volume));
        Map<Path, String> prodFilesBefore = digests(prodData);
        assertThat(prodFilesBefore).isNotEmpty();

        String clone = prod + "-c";
        clones.add(clone);
        CloneReport report = cloneManager().clone(
                new CloneRequest(prod, clone, List.of()), CloneProgress.SILENT);
        // No --publish: production's published port is published on loopback for the clone too.
        int clonePort = DockerTestHost.publishedPort(report, 6379);
        assertThat(clonePort).isNotEqualTo(prodPort);

        // Same data: in memory, in the writable layer and in its own copy of the volume.
        assertThat(redis(clonePort, "DBSIZE")).isEqualTo("200");
        assertThat(redis(clonePort, "GET", "user:123")).isEqualTo("value-123");
        assertThat(DockerTestHost.exec(clone, "cat", "/tmp/layer-file")).isEqualTo("written-in-layer");
        Path binds = new CloneNames(clone, DockerTestHost.STATE_ROOT).stateDir().resolve("binds");
        Path cloneData;
        try (var copies = Files.list(binds)) {
            cloneData = copies.collect(java.util.stream.Collectors.toList()).get(0); // /usr is shared read-only: /data is the one copy
        }
        assertThat(DockerTestHost.exec(clone, "sh", "-c", "grep ' /data ' /proc/self/mountinfo")).doesNotContain(volume);
        assertThat(digests(cloneData)).isEqualTo(prodFilesBefore);

        // Writes to the clone stay in the clone.
        redis(clonePort, "SET", "only-in-clone", "x");
        redis(clonePort, "DEL", "user:1");
        DockerTestHost.exec(clone, "sh", "-c", "echo clone-was-here > /tmp/layer-file");
        assertThat(redis(prodPort, "EXISTS", "only-in-clone")).isEqualTo("0");
        assertThat(redis(prodPort, "GET", "user:1")).isEqualTo("value-1");
        assertThat(docker("exec", prod, "cat", "/tmp/layer-file")).isEqualTo("written-in-layer");
        assertThat(digests(prodData)).isEqualTo(prodFilesBefore);
        assertThat(grep(cloneData, "only-in-clone")).isTrue();
        assertThat(grep(prodData, "only-in-clone")).isFalse();

        // Teardown removes the clone's volume and leaves production's.
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(clone);
        assertThat(cloneData).doesNotExist();
        assertThat(digests(prodData)).isEqualTo(prodFilesBefore);
        assertThat(redis(prodPort, "DBSIZE")).isEqualTo("200");
    }

    private static String redis(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        return HostCommand.check(cmd, Map.of(), Duration.ofSeconds(10), "redis-cli").stdout().strip();
    }

    private static void awaitPong(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (HostCommand.run(List.of("redis-cli", "-p", Integer.toString(port), "PING"), Duration.ofSeconds(5))
                    .stdout().contains("PONG")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("redis on port " + port + " did not answer PING");
    }

    /** sha256 of every file under a directory, by relative path. */
    private static Map<Path, String> digests(Path dir) throws Exception {
        java.util.TreeMap<Path, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                out.put(dir.relativize(p), java.util.HexFormat.of().formatHex(d));
            }
        }
        return out;
    }

    private static boolean grep(Path dir, String needle) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1).contains(needle)) {
                    return true;
                }
            }
        }
        return false;
    }
}
