package io.parikshan.clone.remote;

import static org.junit.jupiter.api.Assertions.fail;

import io.parikshan.clone.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A second host made on this machine for tests: a network namespace joined to this one by a veth
 * pair with a real address each, and Debian's sshd running in it in a mount namespace of its own,
 * where the runc state and Parikshan's state are empty tmpfs, the engine's socket and image store
 * are hidden (the test host has no engine and none of production's layers), and root logs in
 * with a key made for the test. {@link #sshConfig()} names it {@link #ALIAS} for ssh.
 */
public final class TestHostNamespace implements AutoCloseable {

    public static final String ALIAS = "pk-testhost";
    /** Where a test host's sandboxes take their subnets. */
    static final String SANDBOX_SUBNETS = "10.213.0.0/16";
    private static final Duration STEP = Duration.ofSeconds(20);

    public final String name;
    public final String hostAddress;
    public final String testHostAddress;
    final Path dir;
    private final Process sshd;

    private TestHostNamespace(String name, String hostAddress, String testHostAddress, Path dir, Process sshd) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.testHostAddress = testHostAddress;
        this.dir = dir;
        this.sshd = sshd;
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

    public static TestHostNamespace start() throws IOException, InterruptedException {
        requireTools();
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String name = "pk-th" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String host = "10.251." + n + ".1";
        String test = "10.251." + n + ".2";
        Path dir = Files.createTempDirectory(name);
        boolean made = false;
        try {
            sh("ssh-keygen -q -t ed25519 -N '' -f " + dir.resolve("host_key") + " -C " + name);
            sh("ssh-keygen -q -t ed25519 -N '' -f " + dir.resolve("client_key") + " -C " + name);
            sh("ssh-keygen -q -t ed25519 -N '' -f " + dir.resolve("other_key") + " -C other-" + name);
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
            Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "ListenAddress " + test, "Port 22", "HostKey " + dir.resolve("host_key"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                    "PidFile " + dir.resolve("sshd.pid"), ""));
            String[] pub = Files.readString(dir.resolve("host_key.pub")).strip().split(" ", 3);
            String hostKey = pub[0] + " " + pub[1];
            Files.writeString(dir.resolve("known_hosts"), test + " " + hostKey + "\n");
            Files.writeString(dir.resolve("ssh_config"), sshConfig(test, dir.resolve("client_key"), dir.resolve("known_hosts")));
            Files.writeString(dir.resolve("ssh_config_unknown_host"), sshConfig(test, dir.resolve("client_key"), dir.resolve("no_known_hosts")));
            Files.writeString(dir.resolve("ssh_config_other_key"), sshConfig(test, dir.resolve("other_key"), dir.resolve("known_hosts")));
            sh("ip netns add " + name);
            sh("ip link add " + name + "a type veth peer name " + name + "b");
            sh("ip link set " + name + "b netns " + name);
            sh("ip addr add " + host + "/30 dev " + name + "a && ip link set " + name + "a up");
            sh("ip -n " + name + " addr add " + test + "/30 dev " + name + "b && ip -n " + name + " link set " + name
                    + "b up && ip -n " + name + " link set lo up");
            // production's host routes the test hosts' sandbox subnets to it, as a network where the test
            // host is reachable both ways would: so only the sandbox's rules keep a clone's packets in
            sh("ip route replace " + SANDBOX_SUBNETS + " via " + test + " dev " + name + "a");
            sh("mkdir -p /run/sshd");
            String inside = String.join(" && ",
                    "mkdir -p /run/parikshan /var/lib/parikshan /var/lib/docker",
                    "mount -t tmpfs " + name + "-runc /run/parikshan",
                    "mount -t tmpfs " + name + "-state /var/lib/parikshan",
                    "mount -t tmpfs " + name + "-nodocker /var/lib/docker",
                    "if [ -S /run/docker.sock ]; then mount --bind /dev/null /run/docker.sock; fi",
                    "exec /usr/sbin/sshd -D -e -f " + dir.resolve("sshd_config"));
            // nsenter, not 'ip netns exec', which mounts a fresh /sys without the cgroup hierarchies runc needs
            Process sshd = new ProcessBuilder("nsenter", "--net=/run/netns/" + name, "unshare", "-m", "--propagation", "private",
                    "sh", "-c", inside)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
            TestHostNamespace t = new TestHostNamespace(name, host, test, dir, sshd);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.readString(dir.resolve("sshd.log")).contains("Server listening")) {
                if (!sshd.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("sshd.log"));
                    t.close();
                    throw new IllegalStateException("the test host's sshd did not start: " + log);
                }
                Thread.sleep(50);
            }
            made = true;
            return t;
        } finally {
            if (!made) {
                HostCommand.run(List.of("ip", "netns", "del", name), STEP);
                HostCommand.run(List.of("ip", "link", "del", name + "a"), STEP);
            }
        }
    }

    private static String sshConfig(String address, Path key, Path knownHosts) {
        return String.join("\n", "Host " + ALIAS, "  HostName " + address, "  IdentityFile " + key,
                "  IdentitiesOnly yes", "  UserKnownHostsFile " + knownHosts, "  GlobalKnownHostsFile /dev/null", "");
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
        sshd.destroy();
        try {
            sshd.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sshd.destroyForcibly();
        HostCommand.run(List.of("ip", "netns", "del", name), STEP);
        HostCommand.run(List.of("ip", "link", "del", name + "a"), STEP);
        HostCommand.run(List.of("rm", "-rf", dir.toString()), STEP);
    }

    private static void sh(String command) {
        HostCommand.check(List.of("sh", "-c", command), Map.of(), STEP, command);
    }
}
