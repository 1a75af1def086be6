package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clone's OCI spec is production's, with what makes it a clone changed and nothing else. */
class CloneBundleTest {

    private static final String DOCKER_28_SPEC = """
            {"ociVersion":"1.2.0","process":{"user":{"uid":101,"gid":101},"args":["redis-server"],"env":["A=1"],"cwd":"/data"},
             "root":{"path":"/var/lib/docker/overlay2/abc/merged"},"hostname":"0123456789ab",
             "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                       {"destination":"/data","type":"bind","source":"/var/lib/docker/volumes/v/_data","options":["rbind"]},
                       {"destination":"/etc/hosts","type":"bind","source":"/var/lib/docker/containers/x/hosts"}],
             "hooks":{"createRuntime":[{"path":"/usr/bin/dockerd","args":["libnetwork-setkey"]}]},
             "linux":{"cgroupsPath":"/docker/x","namespaces":[{"type":"mount"},{"type":"network","path":"/var/run/docker/netns/1f"},{"type":"pid"}],
                      "seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}
            """;

    @Test
    void keepsProductionsProcessAndChangesRootCgroupNetworkMountsAndHooks(@TempDir Path dir) throws Exception {
        Path prod = dir.resolve("prod.json");
        Files.writeString(prod, DOCKER_28_SPEC);
        Path config = CloneBundle.write(prod, dir.resolve("bundle"), Path.of("/clones/c/rootfs"), "web-clone-1",
                "/parikshan/web-clone-1", Map.of("/data", Path.of("/clones/c/binds/0"), "/etc/hosts", Path.of("/clones/c/etc/hosts")));
        ObjectNode spec = (ObjectNode) new ObjectMapper().readTree(config.toFile());

        assertThat(spec.at("/root/path").asText()).isEqualTo("/clones/c/rootfs");
        assertThat(spec.at("/hostname").asText()).isEqualTo("web-clone-1");
        assertThat(spec.at("/linux/cgroupsPath").asText()).isEqualTo("/parikshan/web-clone-1");
        assertThat(spec.has("hooks")).as("the engine's network hooks would act on production").isFalse();
        assertThat(spec.at("/linux/namespaces/1/type").asText()).isEqualTo("network");
        assertThat(spec.at("/linux/namespaces/1").has("path")).as("production's network namespace").isFalse();
        assertThat(spec.at("/mounts/1/source").asText()).isEqualTo("/clones/c/binds/0");
        assertThat(spec.at("/mounts/2/source").asText()).isEqualTo("/clones/c/etc/hosts");
        assertThat(spec.at("/mounts/0/source").asText()).isEqualTo("proc");
        // production's own process settings stay
        assertThat(spec.at("/process/user/uid").asInt()).isEqualTo(101);
        assertThat(spec.at("/process/args/0").asText()).isEqualTo("redis-server");
        assertThat(spec.at("/linux/seccomp/defaultAction").asText()).isEqualTo("SCMP_ACT_ERRNO");
    }

    @Test
    void cloneAddressIsTheSubnetsLastSoTheEngineNeverHandsItOut() {
        assertThat(Sandbox.lastAddress("172.18.0.0/16")).isEqualTo("172.18.255.254");
        assertThat(Sandbox.lastAddress("192.168.32.0/20")).isEqualTo("192.168.47.254");
        assertThat(Sandbox.lastAddress("10.1.2.0/24")).isEqualTo("10.1.2.254");
    }

    @Test
    void lowerLayersAreMountedThroughTheirShortLinks(@TempDir Path overlay) throws Exception {
        Path layer = Files.createDirectories(overlay.resolve("abcdef/diff"));
        Files.writeString(overlay.resolve("abcdef/link"), "SHORT1\n");
        Files.createDirectories(overlay.resolve("l"));
        Files.createSymbolicLink(overlay.resolve("l/SHORT1"), Path.of("../abcdef/diff"));
        Path noLink = Files.createDirectories(overlay.resolve("nolink/diff"));
        assertThat(CloneRootfs.shortLowerDirs(layer + ":" + noLink))
                .isEqualTo(overlay.resolve("l/SHORT1") + ":" + noLink);
    }
}
