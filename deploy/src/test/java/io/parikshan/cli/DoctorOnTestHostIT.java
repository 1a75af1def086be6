package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.parikshan.clone.remote.TestHostNamespace;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code parikshan doctor --on}: a test host made as a network namespace with its own sshd. */
class DoctorOnTestHostIT {

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

    @Test
    void a_ready_test_host_passes() {
        CliRun r = CliRun.of("doctor", "--on", TestHostNamespace.ALIAS, "--ssh-config", testHost.sshConfig().toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("ok    ssh").contains("ok    criu").contains("ok    runc").contains("all 8 checks passed");
        // a command there is quick: the test host's shell reads none of this host's start-up files
        Matcher took = Pattern.compile("ok    commands +a command there takes (\\d+) ms").matcher(r.out());
        assertThat(took.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(took.group(1))).as("ms for one command there, loosely bounded").isLessThan(10_000);
    }

    @Test
    void a_test_host_whose_key_is_not_known_fails_in_one_line() {
        CliRun r = CliRun.of("doctor", "--on", TestHostNamespace.ALIAS, "--ssh-config", testHost.sshConfigWithUnknownHostKey().toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out().lines().filter(l -> l.startsWith("FAIL"))).singleElement()
                .satisfies(l -> assertThat(l).contains("host key is not known").contains("ssh-keyscan"));
        assertThat(r.out()).contains("1 of 1 checks failed");
    }

    @Test
    void a_malformed_test_host_is_named() {
        CliRun r = CliRun.of("doctor", "--on", "-oProxyCommand=touch /tmp/x");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.errLines()).singleElement().satisfies(l -> assertThat(l).contains("-oProxyCommand=touch /tmp/x")
                .contains("[USER@]HOST[:PORT]"));
    }
}
