package io.parikshan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.clone.CloneReport;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The re-sync policy, the clone slots and the probe summary, without Docker. */
class SessionPiecesTest {

    private static LiveClone clone(int slot, String name, long madeNanos, long desyncedAtStart) {
        CloneReport r = new CloneReport(name, "id", "shop", "net", "172.18.0.2", List.of(), Map.of(), 10, 100, 0, 0, List.of());
        return new LiveClone(slot, r, new CloneTarget(name, new HostPort("172.18.0.2", 80)), madeNanos, 42, desyncedAtStart);
    }

    /** Readings with fixed answers. */
    private record Fixed(boolean running, long desynced, Optional<CloneFidelity> fidelity) implements ResyncPolicy.Readings {
        @Override
        public boolean running(LiveClone c) {
            return running;
        }

        @Override
        public long desyncedConnections(LiveClone c) {
            return desynced;
        }

        @Override
        public Optional<CloneFidelity> fidelity(LiveClone c) {
            return fidelity;
        }
    }

    private static CloneFidelity fidelity(long compared, double ratio) {
        return new CloneFidelity("c", CompareMode.HTTP, compared, Math.round(compared * ratio), 0, 0, Map.of(), ratio, List.of());
    }

    @Test
    void a_clone_is_resynced_for_the_first_reason_that_holds() {
        SessionConfig config = SessionConfig.of("shop").withResync(Optional.of(Duration.ofSeconds(60)), 10, Duration.ofSeconds(30))
                .withFidelity(FidelityConfig.of(CompareMode.HTTP), Optional.of(0.5));
        ResyncPolicy policy = new ResyncPolicy(config);
        long now = System.nanoTime();
        LiveClone young = clone(1, "c", now, 5);
        Fixed fine = new Fixed(true, 14, Optional.of(fidelity(100, 0.4)));

        assertThat(policy.reasonToResync(young, fine, now)).isEmpty();
        assertThat(policy.reasonToResync(young, new Fixed(false, 99, Optional.empty()), now)).contains(ResyncReason.CRASHED);
        assertThat(policy.reasonToResync(young, new Fixed(true, 15, Optional.empty()), now)).contains(ResyncReason.DESYNCED);
        assertThat(policy.reasonToResync(young, new Fixed(true, 0, Optional.of(fidelity(100, 0.5))), now))
                .contains(ResyncReason.DIVERGENT);
        assertThat(policy.reasonToResync(young, new Fixed(true, 0, Optional.of(fidelity(SessionConfig.DIVERGENCE_MIN_EXCHANGES - 1, 1.0))), now))
                .as("too few exchanges to judge").isEmpty();
        LiveClone old = clone(1, "c", now - Duration.ofSeconds(61).toNanos(), 5);
        assertThat(policy.reasonToResync(old, fine, now)).contains(ResyncReason.PERIODIC);

        old.lastFailedResyncNanos(now - Duration.ofSeconds(29).toNanos());
        assertThat(policy.reasonToResync(old, fine, now)).as("backing off").isEmpty();
        old.lastFailedResyncNanos(now - Duration.ofSeconds(31).toNanos());
        assertThat(policy.reasonToResync(old, fine, now)).contains(ResyncReason.PERIODIC);
        old.resyncPending(true);
        assertThat(policy.reasonToResync(old, new Fixed(false, 0, Optional.empty()), now)).as("already being replaced").isEmpty();
    }

    @Test
    void a_resync_puts_the_fresh_clone_in_the_old_ones_place_and_keeps_the_old_ones_probe_counts() {
        CloneSlots slots = new CloneSlots(2);
        LiveClone a = clone(1, "a", System.nanoTime(), 0);
        LiveClone b = clone(2, "b", System.nanoTime(), 0);
        slots.add(a);
        slots.add(b);
        ProbeCounts.Key pass = new ProbeCounts.Key("s", "p", "pass");
        a.lastProbes(new ProbeCounts(Map.of(pass, 3.0)));

        LiveClone a2 = clone(1, "a2", System.nanoTime(), 0);
        slots.replace(a, a2);
        slots.retired("a", a.lastProbes());
        a2.lastProbes(new ProbeCounts(Map.of(pass, 2.0)));

        assertThat(slots.names()).containsExactly("a2", "b");
        assertThat(slots.in(1)).containsExactly(a2);
        assertThat(a.latest()).isSameAs(a2);
        assertThat(slots.probeSamples()).extracting(SessionMetrics.ProbeSample::cloneName, SessionMetrics.ProbeSample::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 3.0), org.assertj.core.groups.Tuple.tuple("a2", 2.0));
        assertThat(StatusAssembler.probeSummary(slots.probeSamples()).pass()).isEqualTo(5);
        assertThatThrownBy(() -> slots.replace(a, clone(1, "a3", 0, 0))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> slots.in(3)).isInstanceOf(ParikshanException.class).hasMessageContaining("slot 3");
    }

    @Test
    void the_probe_summary_counts_each_outcome_per_probe_in_the_order_first_seen() {
        SessionStatus.ProbeSummary s = StatusAssembler.probeSummary(List.of(
                new SessionMetrics.ProbeSample("c1", new ProbeCounts.Key("s", "read", "pass"), 4),
                new SessionMetrics.ProbeSample("c1", new ProbeCounts.Key("s", "write", "fail"), 1),
                new SessionMetrics.ProbeSample("c2", new ProbeCounts.Key("s", "read", "pass"), 2),
                new SessionMetrics.ProbeSample("c2", new ProbeCounts.Key("s", "read", "odd"), 9)));
        assertThat(s.pass()).isEqualTo(6);
        assertThat(s.fail()).isEqualTo(1);
        assertThat(s.probes()).containsExactly(new SessionStatus.ProbeLine("s", "read", 6, 0, 0, 0, 0),
                new SessionStatus.ProbeLine("s", "write", 0, 1, 0, 0, 0));
    }
}
