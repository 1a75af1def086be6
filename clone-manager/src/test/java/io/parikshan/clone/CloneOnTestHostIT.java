package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.remote.TestHostAddress;
import io.parikshan.clone.remote.TestHostNamespace;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clone on a test host (a network namespace with its own sshd, runc state and Parikshan
 * state, no engine and none of production's layers): it runs there with production's memory,
 * is reached from production's host through the test host's address, cannot open a connection
 * anywhere but the one address and port allowed as egress, and leaves nothing on either host once
 * destroyed, while production answers every request of a client throughout.
 */
class CloneOnTestHostIT extends CloneHostFixture {

    private static TestHostNamespace testHost;

    @BeforeAll
    static void makeTestHost() throws Exception {
        testHost = TestHostNamespace.start();
    }

    @AfterAll
    static void removeTestHost() {
        if (testHost != null) {
            testHost.close();
        }
    }

    private static Ssh ssh() {
        return new Ssh(TestHostAddress.parse(TestHostNamespace.ALIAS), testHost.sshConfig());
    }

    @Test
    void a_clone_runs_on_the_test_host_with_productions_state_sandboxed_there() throws Exception {
        String prod = DockerTestHost.uniqueName("th");
        containers.add(prod);
        DockerTestHost.startCounterService(prod);
        int prodPort = DockerTestHost.hostPort(prod, 8080);
        DockerTestHost.awaitGet(prodPort, "/count");
        for (int i = 0; i < 20; i++) {
            DockerTestHost.get(prodPort, "/count");
        }
        // a client of production's checks every answer while the clone is made and removed
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger answered = new AtomicInteger();
        Thread client = new Thread(() -> {
            long last = 0;
            while (!stop.get()) {
                try {
                    long n = Long.parseLong(DockerTestHost.get(prodPort, "/count").strip());
                    if (n <= last) {
                        failures.add("count went from " + last + " to " + n);
                    }
                    last = n;
                    answered.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }, "production-client");
        client.start();

        // listeners on production's host, which the test host itself reaches: the path exists.
        // The clone may reach the second (its allowed egress), never the first.
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
             ServerSocket allowed = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            List<String> peers = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger accepted = countAccepted(listener, new ArrayList<>());
            AtomicInteger acceptedAllowed = countAccepted(allowed, peers);
            String toHost = "exec 3<>/dev/tcp/" + testHost.hostAddress + "/" + listener.getLocalPort();
            assertThat(testHost.inNamespace("timeout 3 bash -c '" + toHost + "'").ok()).isTrue();
            int acceptedFromTestHost = accepted.get();
            assertThat(acceptedFromTestHost).isPositive();

            // the layer store there: a layer no clone used for a week goes, unless something mounts it
            String store = DockerTestHost.STATE_ROOT.resolve("layers").toString();
            assertThat(ssh().script("mkdir -p " + store + "/stale " + store + "/stale-mounted " + store + "/recent && "
                    + "mount -t tmpfs pk-it-layer " + store + "/stale-mounted && "
                    + "touch -d '8 days ago' " + store + "/stale " + store + "/stale-mounted && touch -d '5 days ago' " + store + "/recent",
                    Duration.ofSeconds(20)).ok()).isTrue();

            String clone = prod + "-c";
            clones.add(clone);
            List<String> phases = Collections.synchronizedList(new ArrayList<>());
            AllowedEgress egress = AllowedEgress.parse(testHost.hostAddress + ":" + allowed.getLocalPort());
            CloneReport report = cloneManager().clone(new CloneRequest(prod, clone, List.of(), List.of(), List.of(egress)).onTestHost(ssh()),
                    new CloneProgress() {
                        @Override
                        public void finished(ClonePhase phase, Duration took, String detail) {
                            phases.add(phase + ": " + detail);
                        }
                    });
            long atClone = Long.parseLong(DockerTestHost.get(prodPort, "/count").strip());

            // it runs there, not here, and is reached through the test host's address
            assertThat(new CloneRuntime().state(clone)).as("no runc container of the clone on production's host").isEmpty();
            assertThat(ssh().run(List.of("runc", "--root", CloneRuntime.ROOT.toString(), "state", clone), Duration.ofSeconds(20))
                    .stdout()).contains("\"status\": \"running\"");
            assertThat(report.addresses()).singleElement().asString().startsWith(testHost.testHostAddress + ":").endsWith(" -> 8080/tcp");
            String published = report.addresses().get(0).split(" -> ")[0];
            int port = Integer.parseInt(published.substring(published.indexOf(':') + 1));
            long cloneCount = Long.parseLong(DockerTestHost.curl(testHost.testHostAddress, port, "/count").strip());
            assertThat(cloneCount).as("the clone goes on from production's count").isBetween(21L, atClone + 1);
            assertThat(phases).anySatisfy(p -> assertThat(p).startsWith("IMAGE_COPY").contains("sent from memory to test host"));
            String kept = ssh().script("umount " + store + "/stale-mounted; ls " + store + " | grep -v '^[0-9a-f]\\{64\\}'; "
                    + "ls " + store + " | grep -c '^[0-9a-f]\\{64\\}'", Duration.ofSeconds(20)).stdout();
            assertThat(kept.lines().toList()).as("the layer store there").startsWith("recent", "stale-mounted");
            assertThat(kept.lines().toList()).hasSize(3);
            assertThat(Integer.parseInt(kept.lines().toList().get(2))).as("production's layers, kept there").isPositive();

            // nothing of production's memory kept on either side once the clone runs
            assertThat(Files.exists(new CloneNames(clone, DockerTestHost.STATE_ROOT).imagesDir())).isFalse();
            assertThat(ssh().run(List.of("ls", new CloneNames(clone, DockerTestHost.STATE_ROOT).imagesDir().toString()),
                    Duration.ofSeconds(20)).ok()).isFalse();

            // the sandbox there: no connection out, to production's host or to the test host itself
            HostCommand.Result out = ssh().script("runc --root " + CloneRuntime.ROOT + " exec " + clone
                    + " timeout 3 bash -c '" + toHost + "'", Duration.ofSeconds(30));
            assertThat(out.ok()).as("the clone reached production's host: " + out.stdout()).isFalse();
            HostCommand.Result toSsh = ssh().script("runc --root " + CloneRuntime.ROOT + " exec " + clone
                    + " timeout 3 bash -c 'exec 3<>/dev/tcp/" + testHost.testHostAddress + "/22'", Duration.ofSeconds(30));
            assertThat(toSsh.ok()).as("the clone reached the test host's sshd").isFalse();
            assertThat(accepted.get()).isEqualTo(acceptedFromTestHost);

            // its allowed egress: that address and port only, leaving under the test host's address
            HostCommand.Result toAllowed = ssh().script("runc --root " + CloneRuntime.ROOT + " exec " + clone
                    + " timeout 3 bash -c 'exec 3<>/dev/tcp/" + testHost.hostAddress + "/" + allowed.getLocalPort() + "'", Duration.ofSeconds(30));
            assertThat(toAllowed.ok()).as("the clone reached its allowed egress: " + toAllowed.reason()).isTrue();
            for (int i = 0; i < 50 && acceptedAllowed.get() == 0; i++) {
                Thread.sleep(100); // the acceptor counts after ssh returned
            }
            assertThat(acceptedAllowed.get()).as("connections the allowed egress accepted").isEqualTo(1);
            assertThat(peers).as("where the allowed egress saw it from").containsExactly(testHost.testHostAddress);
            assertThat(accepted.get()).isEqualTo(acceptedFromTestHost);

            // destroy removes it there and here
            assertThat(new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(clone)).isTrue();
            clones.remove(clone);
            String left = ssh().script("runc --root " + CloneRuntime.ROOT + " list -q; grep -c " + clone + " /proc/self/mountinfo; "
                    + "iptables -S | grep -c parikshan:" + clone + "; iptables -t nat -S | grep -c parikshan:" + clone + "; "
                    + "ls " + DockerTestHost.STATE_ROOT + "/clones", Duration.ofSeconds(20)).stdout();
            assertThat(left.lines().toList()).containsExactly("0", "0", "0");
            assertThat(Files.exists(new CloneNames(clone, DockerTestHost.STATE_ROOT).stateDir())).isFalse();
        } finally {
            stop.set(true);
            client.join();
        }
        assertThat(failures).isEmpty();
        assertThat(answered.get()).isPositive();
    }

    @Test
    void what_a_test_host_cannot_take_is_refused_in_one_line_before_anything_is_made() throws Exception {
        // production reads a directory that this host has and the test host does not (its state is its own)
        java.nio.file.Path onlyHere = Files.createTempDirectory(DockerTestHost.STATE_ROOT, "pk-it-only-here-");
        try {
            String prod = DockerTestHost.uniqueName("thro");
            containers.add(prod);
            DockerTestHost.startCounterService(prod, "-v", onlyHere + ":/extra:ro");
            DockerTestHost.awaitGet(DockerTestHost.hostPort(prod, 8080), "/count");
            String clone = prod + "-c";
            clones.add(clone);
            assertThatThrownBy(() -> cloneManager().clone(new CloneRequest(prod, clone, List.of()).onTestHost(ssh()), CloneProgress.SILENT))
                    .isInstanceOf(io.parikshan.contract.ParikshanException.class)
                    .hasMessageContaining("read-only bind mount " + onlyHere).hasMessageContaining("is not on test host root@pk-testhost")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertNothingOfIt(clone);

            // a test host whose key is not known: refused at the safety checks
            Ssh unknown = new Ssh(TestHostAddress.parse(TestHostNamespace.ALIAS), testHost.sshConfigWithUnknownHostKey());
            assertThatThrownBy(() -> cloneManager().clone(new CloneRequest(prod, clone, List.of()).onTestHost(unknown), CloneProgress.SILENT))
                    .hasMessageContaining("host key is not known");
            assertNothingOfIt(clone);
            assertThat(DockerTestHost.docker("inspect", "-f", "{{.State.Running}} {{.State.Paused}}", prod)).isEqualTo("true false");
        } finally {
            Files.deleteIfExists(onlyHere);
        }
    }

    /** Accepts and closes connections on {@code listener}, counting them and noting each peer's address. */
    private static AtomicInteger countAccepted(ServerSocket listener, List<String> peers) {
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    peers.add(s.getInetAddress().getHostAddress());
                    accepted.incrementAndGet();
                } catch (Exception e) {
                    return; // closed: the test is over
                }
            }
        }, "host-listener-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return accepted;
    }

    private static void assertNothingOfIt(String clone) {
        assertThat(Files.exists(new CloneNames(clone, DockerTestHost.STATE_ROOT).stateDir())).as("state here").isFalse();
        String there = ssh().script("runc --root " + CloneRuntime.ROOT + " list -q; ls " + DockerTestHost.STATE_ROOT + "/clones 2>/dev/null; "
                + "iptables -S | grep -c parikshan:" + clone + "; ip -br link | grep -c '^pk[0-9]'", Duration.ofSeconds(20)).stdout();
        assertThat(there.lines().toList()).as("on the test host").containsExactly("0", "0");
    }
}
