package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;

import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.remote.TestHostAddress;
import io.parikshan.clone.remote.TestHostNamespace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Twins from one checkpoint on a test host (a network namespace with its own sshd, runc and
 * Parikshan state, no engine): production is frozen once, the images sent once and restored twice
 * there, and each twin holds production's state of that moment in a sandbox of its own there,
 * reached through a port of the test host's address; nothing of either is left on either host
 * once destroyed.
 */
class CloneTwinsOnTestHostIT extends CloneHostFixture {

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
    void twins_restored_there_from_one_checkpoint_hold_the_same_state_each_in_its_own_sandbox_there() throws Exception {
        String prod = DockerTestHost.uniqueName("thtw");
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
        List<CloneReport> reports = cloneManager().cloneTwins(new CloneRequest(prod, a, List.of(PortPublication.parse("8080")))
                        .withTwins(List.of(new CloneRequest.Twin(b, null))).onTestHost(ssh()),
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
        assertThat(rb.testHost()).isEqualTo(ra.testHost()).isEqualTo("root@" + TestHostNamespace.ALIAS);
        assertThat(rb.sandboxNetwork()).isNotEqualTo(ra.sandboxNetwork()).contains("on test host root@" + TestHostNamespace.ALIAS);

        // both run there, neither here
        for (String twin : List.of(a, b)) {
            assertThat(new CloneRuntime().state(twin)).as("no runc container of " + twin + " here").isEmpty();
            assertThat(CloneRuntime.of(twin, DockerTestHost.STATE_ROOT).state(twin)).hasValueSatisfying(s -> assertThat(s.running()).isTrue());
            assertThat(CloneRecord.read(new CloneNames(twin, DockerTestHost.STATE_ROOT)).orElseThrow().testHost())
                    .isEqualTo("root@" + TestHostNamespace.ALIAS);
        }
        // the same moment of production: both go on from one count, each reached through the test host's address
        assertThat(ra.addresses()).singleElement().asString().startsWith(testHost.testHostAddress + ":");
        assertThat(rb.addresses()).singleElement().asString().startsWith(testHost.testHostAddress + ":");
        long first = Long.parseLong(DockerTestHost.curl(testHost.testHostAddress, DockerTestHost.publishedPort(ra, 8080), "/count").strip());
        assertThat(Long.parseLong(DockerTestHost.curl(testHost.testHostAddress, DockerTestHost.publishedPort(rb, 8080), "/count").strip()))
                .isEqualTo(first);
        assertThat(Long.parseLong(DockerTestHost.curl(prodPort, "/count").strip())).as("production's own count").isEqualTo(first);

        // the images gone there once both run; files of their own there, production's as frozen
        assertThat(ssh().run(List.of("ls", new CloneNames(a, DockerTestHost.STATE_ROOT).imagesDir().toString()), Duration.ofSeconds(20))
                .ok()).isFalse();
        for (String twin : List.of(a, b)) {
            assertThat(inClone(twin, "cat /state.txt /data/f")).isEqualTo("layer\nvolume");
            assertThat(inClone(twin, "cat /.parikshan-clone")).contains("clone=" + twin);
        }
        inClone(a, "echo changed-in-a > /data/f; echo changed-in-a > /state.txt");
        assertThat(inClone(b, "cat /state.txt /data/f")).isEqualTo("layer\nvolume");

        // each in its own sandbox there: the twin cannot reach the clone
        String ipA = ra.cloneIp();
        HostCommand.Result reach = ssh().script("runc --root " + CloneRuntime.ROOT + " exec " + b
                + " timeout 3 bash -c 'exec 3<>/dev/tcp/" + ipA + "/8080'", Duration.ofSeconds(30));
        assertThat(reach.ok()).as("twin " + b + " reached " + a + " at " + ipA).isFalse();

        // one goes, the other stays; then nothing is left there
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(a);
        clones.remove(a);
        assertThat(CloneRuntime.of(b, DockerTestHost.STATE_ROOT).state(b)).hasValueSatisfying(s -> assertThat(s.running()).isTrue());
        assertThat(Long.parseLong(DockerTestHost.curl(testHost.testHostAddress, DockerTestHost.publishedPort(rb, 8080), "/count").strip()))
                .isEqualTo(first + 1);
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(b);
        clones.remove(b);
        String left = ssh().script("runc --root " + CloneRuntime.ROOT + " list -q; ls " + DockerTestHost.STATE_ROOT + "/clones 2>/dev/null; "
                + "iptables -S | grep -c parikshan:" + prod + "; iptables -t nat -S | grep -c parikshan:" + prod + "; "
                + "ip -br link | grep -c '^p[kv][0-9a-f]'", Duration.ofSeconds(20)).stdout();
        assertThat(left.lines().toList()).as("left on the test host").containsExactly("0", "0", "0");
    }

    private static String inClone(String clone, String command) {
        HostCommand.Result r = ssh().script("runc --root " + CloneRuntime.ROOT + " exec " + clone + " sh -c '" + command + "'",
                Duration.ofSeconds(30));
        assertThat(r.ok()).as("exec in " + clone + ": " + r.reason()).isTrue();
        return r.stdout().strip();
    }
}
