package io.parikshan.clone.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SshTest {

    @Test
    void addresses_default_to_root_and_port_22() {
        assertThat(TestHostAddress.parse("testhost")).isEqualTo(new TestHostAddress("root", "testhost", 22));
        assertThat(TestHostAddress.parse("ops@10.0.0.7:2222")).isEqualTo(new TestHostAddress("ops", "10.0.0.7", 2222));
        assertThat(TestHostAddress.parse("10.0.0.7:2222").toString()).isEqualTo("root@10.0.0.7:2222");
    }

    @Test
    void malformed_addresses_are_refused_naming_the_value() {
        for (String bad : List.of("", "host:", "host:99999", "a b", "-oProxyCommand=x", "@host")) {
            assertThatThrownBy(() -> TestHostAddress.parse(bad)).isInstanceOf(ParikshanException.class)
                    .hasMessageContaining("test host");
        }
    }

    @Test
    void ssh_never_prompts_and_never_accepts_an_unknown_host_key() {
        List<String> c = new Ssh(TestHostAddress.parse("t:2222"), Path.of("/x/ssh_config")).sshCommand(List.of("echo", "a b"));
        assertThat(c).containsSequence("-F", "/x/ssh_config").containsSequence("-p", "2222")
                .contains("BatchMode=yes", "StrictHostKeyChecking=yes").containsSequence("root@t", "--", "echo 'a b'");
    }

    @Test
    void words_are_quoted_for_the_remote_shell() {
        assertThat(Ssh.quote("plain/path-1.2")).isEqualTo("plain/path-1.2");
        assertThat(Ssh.quote("")).isEqualTo("''");
        assertThat(Ssh.quote("it's $x")).isEqualTo("'it'\\''s $x'");
    }

    @Test
    void ssh_failures_are_said_in_the_users_terms() {
        TestHostAddress t = TestHostAddress.parse("t");
        assertThat(Ssh.failure(t, "Host key verification failed.")).hasValueSatisfying(m -> assertThat(m).contains("host key is not known"));
        assertThat(Ssh.failure(t, "No ED25519 host key is known for t and you have requested strict checking."))
                .hasValueSatisfying(m -> assertThat(m).contains("host key is not known"));
        assertThat(Ssh.failure(t, "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@"))
                .hasValueSatisfying(m -> assertThat(m).contains("host key has changed"));
        assertThat(Ssh.failure(t, "root@t: Permission denied (publickey).")).hasValueSatisfying(m -> assertThat(m).contains("ssh-copy-id"));
        assertThat(Ssh.failure(t, "ssh: connect to host t port 22: Connection refused")).hasValueSatisfying(m -> assertThat(m).contains("nothing listens"));
        assertThat(Ssh.failure(t, "ssh: connect to host t port 22: Connection timed out")).hasValueSatisfying(m -> assertThat(m).contains("not reachable"));
        assertThat(Ssh.failure(t, "ssh: Could not resolve hostname t: Name or service not known")).hasValueSatisfying(m -> assertThat(m).contains("does not resolve"));
        assertThat(Ssh.failure(t, "the remote program's own complaint")).isEmpty();
    }

    @Test
    void the_doctor_names_what_the_test_host_lacks() {
        TestHostAddress t = TestHostAddress.parse("t");
        Map<String, String> ready = Map.of("uid", "0", "kernel", "6.1", "criu", "/usr/sbin/criu", "criu_version", "4.2.1",
                "criu_check", "0", "runc", "/usr/sbin/runc", "iptables", "/usr/sbin/iptables", "ip", "/usr/sbin/ip", "shm_kib", "1048576");
        assertThat(TestHostDoctor.checks(t, ready, "6.1")).allMatch(c -> c.ok());
        Map<String, String> old = new java.util.HashMap<>(ready);
        old.put("criu_version", "3.17");
        old.remove("runc");
        old.put("uid", "1000");
        old.put("shm_kib", "1024");
        assertThat(TestHostDoctor.checks(t, old, "6.1")).filteredOn(c -> !c.ok()).extracting(c -> c.name())
                .containsExactly("ssh", "criu", "runc", "memory");
        assertThat(TestHostDoctor.checks(t, ready, "6.18")).filteredOn(c -> c.name().equals("kernel"))
                .singleElement().satisfies(c -> assertThat(c.detail()).contains("production's is 6.18"));
    }
}
