package io.parikshan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure parts of the session: takeover rules, probe snapshot parsing, config checks, the status line. */
class SessionPartsTest {

    @Test
    void a_loopback_takeover_redirects_only_local_clients_of_that_address() {
        List<List<String>> rules = PortTakeover.rules("shop", new HostPort("127.0.0.1", 28080), 41000);
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0)).containsSubsequence("-t", "nat", "OUTPUT", "-p", "tcp", "-d", "127.0.0.1",
                "--dport", "28080", "--comment", "parikshan-takeover:shop", "-j", "REDIRECT", "--to-ports", "41000");
        assertThat(PortTakeover.needsWildcardListen(new HostPort("127.0.0.1", 28080))).isFalse();
    }

    @Test
    void a_wildcard_takeover_covers_local_and_remote_clients_of_every_local_address() {
        List<List<String>> rules = PortTakeover.rules("shop", new HostPort("0.0.0.0", 80), 41000);
        assertThat(rules).extracting(r -> r.get(2)).containsExactly("OUTPUT", "PREROUTING");
        assertThat(rules).allSatisfy(r -> assertThat(r).containsSubsequence("-m", "addrtype", "--dst-type", "LOCAL", "--dport", "80"));
        assertThat(PortTakeover.needsWildcardListen(new HostPort("0.0.0.0", 80))).isTrue();
    }

    @Test
    void a_udp_takeover_redirects_udp_only() {
        List<List<String>> rules = PortTakeover.rules("dns", new HostPort("127.0.0.1", 5353), 41000, true);
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0)).containsSubsequence("OUTPUT", "-p", "udp", "-d", "127.0.0.1", "--dport", "5353",
                "--comment", "parikshan-takeover:dns", "-j", "REDIRECT", "--to-ports", "41000").doesNotContain("tcp");
    }

    @Test
    void iptables_rules_are_split_with_quoted_comments_whole() {
        assertThat(PortTakeover.splitRule("-d 127.0.0.1/32 -p tcp -m tcp --dport 28080 -m comment --comment \"parikshan-takeover:a b\" -j REDIRECT --to-ports 4"))
                .containsExactly("-d", "127.0.0.1/32", "-p", "tcp", "-m", "tcp", "--dport", "28080", "-m", "comment",
                        "--comment", "parikshan-takeover:a b", "-j", "REDIRECT", "--to-ports", "4");
    }

    @Test
    void the_agents_metrics_snapshot_gives_probe_outcomes() {
        String text = """
                # HELP parikshan_probe_invocations_total Probe test runs
                # TYPE parikshan_probe_invocations_total counter
                parikshan_probe_invocations_total{outcome="pass",probe="kv-read",suite="sample-service"} 238.0
                parikshan_probe_invocations_total{outcome="fail",probe="kv-read",suite="sample-service"} 1.0
                parikshan_probe_invocations_total{outcome="pass",probe="say \\"hi\\"",suite="s"} 2
                parikshan_probe_hits_total{probe="kv-read",suite="sample-service"} 239.0
                parikshan_probe_invocations_total{outcome="pass",probe="broken",suite="s"} not-a-number
                """;
        ProbeCounts c = ProbeCounts.parse(text);
        assertThat(c.invocations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                new ProbeCounts.Key("sample-service", "kv-read", "pass"), 238.0,
                new ProbeCounts.Key("sample-service", "kv-read", "fail"), 1.0,
                new ProbeCounts.Key("s", "say \"hi\"", "pass"), 2.0));
        assertThat(c.total("pass")).isEqualTo(240);
        assertThat(ProbeCounts.parse("").orIfEmpty(c)).isSameAs(c);
    }

    @Test
    void session_settings_are_checked_with_the_option_named() {
        SessionConfig ok = SessionConfig.of("shop");
        assertThatThrownBy(() -> ok.withClones(0)).isInstanceOf(ParikshanException.class).hasMessageContaining("--clones 0");
        assertThatThrownBy(() -> ok.withDuplication(ok.strategy(), 1.5)).hasMessageContaining("--sample 1.5");
        assertThatThrownBy(() -> ok.withResync(Optional.of(Duration.ofSeconds(3)), 10, Duration.ZERO))
                .hasMessageContaining("--resync-every 3s");
        assertThatThrownBy(() -> ok.withSuites(List.of(java.nio.file.Path.of("/no/such.jar"))))
                .hasMessageContaining("/no/such.jar").hasMessageContaining("does not exist");
        assertThat(ok.withClones(2).clones()).isEqualTo(2);
    }

    @Test
    void the_status_line_is_compact() {
        SessionStatus s = new SessionStatus("shop", "running", "127.0.0.1:80", true, "127.0.0.1:4100", "172.17.0.2:80",
                "http://127.0.0.1:9464/metrics", 1, 75, 3,
                List.of(new SessionStatus.CloneStatus(1, "shop-clone-1", "172.18.0.2:80", 70, 3, 2048, 0.25, 1, 10, 0, true, List.of())),
                Map.of("manual", 1L), Map.of(), new SessionStatus.ProbeSummary(10, 2, 0, 0, 0, List.of()), List.of(), List.of(), null);
        assertThat(s.line()).isEqualTo("[01:15] conns 3 | shop-clone-1 age 01:10 lag 2.0KiB/0.250s desynced 1 | resyncs 1"
                + " | probes pass 10 fail 2 error 0 timeout 0");
    }
}
