package io.parikshan.clone.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.clone.Doctor;
import io.parikshan.clone.HostCheck;
import io.parikshan.clone.HostCommand;
import io.parikshan.contract.ParikshanException;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A test host made as a network namespace with its own sshd, reached as a clone's host would be. */
class SshToTestHostIT {

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

    private static Ssh ssh(java.nio.file.Path config) {
        return new Ssh(TestHostAddress.parse(TestHostNamespace.ALIAS), config);
    }

    @Test
    void a_ready_test_host_passes_every_check_and_is_another_host() {
        List<HostCheck> checks = new TestHostDoctor(ssh(testHost.sshConfig())).checks();
        assertThat(checks).allSatisfy(c -> assertThat(c.ok()).as(c.problem()).isTrue());
        assertThat(checks).extracting(HostCheck::name).containsExactly("ssh", "criu", "runc", "iptables", "ip", "kernel", "memory", "commands");
        assertThat(checks.get(5).detail()).contains(Doctor.kernelRelease()).contains("as production's");
        assertThat(checks.get(7).detail()).startsWith("a command there takes ");
        // what the commands run in: the test host's own network and state, not this host's
        HostCommand.Result r = ssh(testHost.sshConfig()).script(
                "ip -4 -o addr show; findmnt -n -o SOURCE /run/parikshan; ls -A /var/lib/docker | wc -l", Duration.ofSeconds(20));
        assertThat(r.ok()).as(r.stderr()).isTrue();
        assertThat(r.stdout()).contains(testHost.testHostAddress).doesNotContain(testHost.hostAddress + "/")
                .contains(testHost.name + "-runc");
        assertThat(r.stdout().strip()).endsWith("0"); // no image layers of production's there
    }

    @Test
    void arguments_reach_the_test_host_unchanged() {
        String odd = "it's a \"word\" with $HOME, `ticks`; and * stars";
        HostCommand.Result r = ssh(testHost.sshConfig()).run(List.of("printf", "%s|%s", odd, ""), Duration.ofSeconds(20));
        assertThat(r.stdout()).isEqualTo(odd + "|");
    }

    @Test
    void an_unknown_host_key_is_refused_in_one_line_never_accepted() {
        Ssh ssh = ssh(testHost.sshConfigWithUnknownHostKey());
        assertThatThrownBy(ssh::requireReachable).isInstanceOf(ParikshanException.class)
                .hasMessageContaining("test host root@" + TestHostNamespace.ALIAS)
                .hasMessageContaining("host key is not known").hasMessageContaining("ssh-keyscan")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        List<HostCheck> checks = new TestHostDoctor(ssh).checks();
        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.name()).isEqualTo("ssh");
        });
    }

    @Test
    void a_key_the_test_host_does_not_accept_is_named() {
        assertThatThrownBy(ssh(testHost.sshConfigWithOtherKey())::requireReachable).isInstanceOf(ParikshanException.class)
                .hasMessageContaining("refused this host's SSH keys for root").hasMessageContaining("authorized_keys");
    }

    @Test
    void a_port_nobody_listens_on_is_named() {
        Ssh ssh = new Ssh(TestHostAddress.parse(TestHostNamespace.ALIAS + ":2222"), testHost.sshConfig());
        assertThatThrownBy(ssh::requireReachable).isInstanceOf(ParikshanException.class)
                .hasMessageContaining("nothing listens for SSH on port 2222");
    }
}
