package io.parikshan.clone.remote;

import static org.junit.jupiter.api.Assertions.fail;

import io.parikshan.clone.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A second host made on this machine for tests: a network namespace joined to this one by a veth
 * pair with a real address each, and Debian's sshd running in it in a mount and a pid namespace of its own
 * (a clone there has another pid there than here, so a step that looked here instead would fail),
 * where the runc state and Parikshan's state are empty tmpfs, the engine's socket and image store
 * are hidden (the test host has no engine and none of production's layers), and root logs in
 * with a key made for the test. {@link #sshConfig()} names it {@link #ALIAS} for ssh.
 */
public final class TestHostNamespace implements AutoCloseable {

    public static final String ALIAS = "pk-testhost";
    /** Makes and removes test hosts; the same script serves the benchmarks. */
    static final Path SCRIPT = repoRoot().resolve("deploy/host/test-host.sh");
    private static final Duration STEP = Duration.ofSeconds(20);

    public final String name;
    public final String hostAddress;
    public final String testHostAddress;
    final Path dir;
    private TestHostNamespace(String name, String hostAddress, String testHostAddress, Path dir) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.testHostAddress = testHostAddress;
        this.dir = dir;
    }

    /** Skips outside CI (fails under CI=true) when this host cannot make one. */
    public static void requireTools() {
        String missing = null;
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
            missing = "sshd (Debian's openssh-server; deploy/host/setup.sh installs it)";
        } else if (!HostCommand.run(List.of("ip", "netns", "list"), STEP).ok()) {
            missing = "network namespaces (ip netns, as root)";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and a test host cannot be made here: needs " + missing);
            }
            Assumptions.abort("a test host needs " + missing);
        }
    }

    public static TestHostNamespace start() throws IOException {
        requireTools();
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String name = "pk-th" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        Path dir = Files.createTempDirectory(name);
        HostCommand.Result r = HostCommand.run(List.of("bash", SCRIPT.toString(), "up", name, Integer.toString(n), dir.toString()),
                Duration.ofSeconds(60));
        String[] ready = r.stdout().strip().split(" ");
        if (!r.ok() || ready.length != 4 || !ready[0].equals("ready")) {
            throw new IllegalStateException("the test host could not be made: " + r.stderr() + r.stdout());
        }
        return new TestHostNamespace(name, ready[2], ready[3], dir);
    }

    /** ssh_config naming this test host {@link #ALIAS}, with the test's key and its host key known. */
    public Path sshConfig() {
        return dir.resolve("ssh_config");
    }

    /** As {@link #sshConfig()} with no host key known. */
    public Path sshConfigWithUnknownHostKey() {
        return dir.resolve("ssh_config_unknown_host");
    }

    /** As {@link #sshConfig()} with a key the test host does not accept. */
    public Path sshConfigWithOtherKey() {
        return dir.resolve("ssh_config_other_key");
    }

    /** Runs a command inside the test host's network namespace (not through SSH). */
    public HostCommand.Result inNamespace(String command) {
        return HostCommand.run(List.of("ip", "netns", "exec", name, "sh", "-c", command), STEP);
    }

    @Override
    public void close() {
        HostCommand.run(List.of("bash", SCRIPT.toString(), "down", name, dir.toString()), STEP);
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("deploy/host/test-host.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("deploy/host/test-host.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
