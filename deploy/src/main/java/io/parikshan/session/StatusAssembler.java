package io.parikshan.session;

import io.parikshan.proxy.CloneStats;
import io.parikshan.proxy.Duplicator;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.CandidateTrial;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a session's {@link SessionStatus} together from the parts that know each number: the
 * clone slots, the proxy's per-clone statistics and fidelity, the session's own counters and
 * the probe counts read from the clones.
 */
final class StatusAssembler {

    private static final List<String> OUTCOMES = List.of("pass", "fail", "error", "timeout", "skipped");

    private final ProductionEndpoint endpoint;
    private final boolean compares;
    private final long startedNanos;
    private final CloneSlots slots;
    private final SessionMetrics metrics;
    private final List<String> egress;
    private final CandidateTrial trial;
    private final String patch;
    private final boolean freshCandidate;

    /**
     * @param compares whether the session compares the clones' answers with production's
     * @param egress   addresses outside the sandbox the clones may reach, as {@code ip:port}
     * @param trial    the patch on trial (slot 1 its control, slot 2 its candidate), or null
     * @param patch    the patch jar's path ({@code image NAME} for a new image), or null
     * @param freshCandidate whether the candidate is started afresh from a new image rather than restored
     */
    StatusAssembler(ProductionEndpoint endpoint, boolean compares, long startedNanos, CloneSlots slots, SessionMetrics metrics,
                    List<String> egress, CandidateTrial trial, String patch, boolean freshCandidate) {
        this.trial = trial;
        this.patch = patch;
        this.freshCandidate = freshCandidate;
        this.egress = List.copyOf(egress);
        this.endpoint = endpoint;
        this.compares = compares;
        this.startedNanos = startedNanos;
        this.slots = slots;
        this.metrics = metrics;
    }

    /**
     * @param proxy      the running proxy, or null before it runs
     * @param takenOver  whether production's published port goes to the proxy
     * @param controlUrl the control endpoint, or null before it serves
     */
    SessionStatus status(String state, Duplicator proxy, boolean takenOver, String controlUrl) {
        List<SessionStatus.CloneStatus> clones = new ArrayList<>();
        for (LiveClone c : slots.all()) {
            CloneStats s = proxy == null ? CloneStats.none(c.name())
                    : proxy.cloneStats(c.name()).orElse(CloneStats.none(c.name()));
            clones.add(new SessionStatus.CloneStatus(c.slot(), c.name(), c.target().address().toString(), c.age().toSeconds(),
                    s.activeConnections(), s.lagBytes(), s.lagSeconds(), s.desyncedConnections(), s.sentBytes(),
                    s.droppedBytes(), c.probesLoaded(), c.report().dependencies().stream()
                    .map(m -> new SessionStatus.GroupMember(m.cloneName(), m.production(), m.cloneIp(), m.productionAddresses()))
                    .toList(), c.report().testHost()));
        }
        String proxyAt = proxy == null ? "" : HostPort.of(proxy.localAddress()).toString();
        String clientAt = takenOver ? endpoint.published().map(HostPort::toString).orElse(proxyAt) : proxyAt;
        return new SessionStatus(endpoint.container(), state, clientAt, takenOver, proxyAt, endpoint.internal().toString(),
                controlUrl == null ? "" : controlUrl + "/metrics", ProcessHandle.current().pid(),
                (System.nanoTime() - startedNanos) / 1_000_000_000L,
                proxy == null ? 0 : proxy.activeConnections(), clones,
                metrics.resyncCounts(), metrics.resyncFailureCounts(), probeSummary(slots.probeSamples()),
                proxy == null || !compares ? List.of()
                        : proxy.fidelity().clones().stream().map(SessionStatus.FidelityStatus::of).toList(),
                egress, trial == null ? null : SessionStatus.CandidateStatus.of(patch, freshCandidate, nameIn(Session.CONTROL_SLOT),
                        nameIn(Session.CANDIDATE_SLOT), trial.snapshot()));
    }

    private String nameIn(int slot) {
        List<LiveClone> in = slots.in(slot);
        return in.isEmpty() ? "" : in.get(0).name();
    }

    /** Outcomes over every clone, in total and per probe of each suite (in the order first seen). */
    static SessionStatus.ProbeSummary probeSummary(List<SessionMetrics.ProbeSample> samples) {
        Map<List<String>, long[]> perProbe = new LinkedHashMap<>();
        long[] totals = new long[OUTCOMES.size()];
        for (SessionMetrics.ProbeSample p : samples) {
            int i = OUTCOMES.indexOf(p.key().outcome());
            if (i < 0) {
                continue;
            }
            long v = Math.round(p.value());
            totals[i] += v;
            perProbe.computeIfAbsent(List.of(p.key().suite(), p.key().probe()), k -> new long[OUTCOMES.size()])[i] += v;
        }
        List<SessionStatus.ProbeLine> lines = perProbe.entrySet().stream().map(e -> {
            long[] v = e.getValue();
            return new SessionStatus.ProbeLine(e.getKey().get(0), e.getKey().get(1), v[0], v[1], v[2], v[3], v[4]);
        }).toList();
        return new SessionStatus.ProbeSummary(totals[0], totals[1], totals[2], totals[3], totals[4], lines);
    }
}
