package io.parikshan.session;

import io.parikshan.proxy.fidelity.CandidateChange;
import io.parikshan.proxy.fidelity.CandidateChanges;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.DivergentExchange;

import java.util.List;
import java.util.Map;

/**
 * What {@code parikshan status} shows of a running session (and its JSON form).
 *
 * @param clientAddress where clients connect (production's published port when taken over)
 * @param proxyAddress  where the proxy itself listens
 * @param candidate     with {@code --candidate}: what the patch changed; null otherwise
 */
public record SessionStatus(String production, String state, String clientAddress, boolean takeover,
                            String proxyAddress, String productionAddress, String metricsUrl, long pid,
                            long uptimeSeconds, long activeConnections, List<CloneStatus> clones,
                            Map<String, Long> resyncs, Map<String, Long> resyncFailures, ProbeSummary probes,
                            List<FidelityStatus> fidelity, List<String> allowedEgress, CandidateStatus candidate) {

    /**
     * A patch on trial: its control and candidate clones (the current pair), the three-way counts
     * by endpoint and the first changed exchanges with production's and the candidate's answers.
     *
     * @param patch the patch jar, or {@code image NAME} for a candidate started from a new image
     * @param start how the candidate began: {@link #FRESH_START} (a new image's container: none of
     *              production's memory) or {@link #LIVE_CLONE} (restored from production's checkpoint)
     * @param judging whether connections opened now are judged against the current pair: false from a
     *              re-sync until both fresh clones have caught up with what was held for them
     */
    public record CandidateStatus(String patch, String start, String control, String candidate, long pair, boolean judging, long compared,
                                  long changed, long controlDiffers, List<CandidateChanges.Endpoint> endpoints, List<Change> changes) {

        public static final String FRESH_START = "fresh start, no live memory";
        public static final String LIVE_CLONE = "live clone of production, patched";

        static CandidateStatus of(String patch, boolean fresh, String control, String candidate, CandidateChanges c) {
            return new CandidateStatus(patch, fresh ? FRESH_START : LIVE_CLONE, control, candidate, c.pair(), c.judging(), c.comparedTotal(),
                    c.changedTotal(), c.controlDiffersTotal(), c.endpoints(), c.changes().stream().map(Change::of).toList());
        }
    }

    /** One exchange the patch changed, as JSON-friendly text. */
    public record Change(long number, String at, String endpoint, String connection, String request,
                         String productionAnswer, String candidateAnswer, List<String> differences) {

        static Change of(CandidateChange c) {
            return new Change(c.number(), c.at().toString(), c.endpoint(), c.connection(), c.request(),
                    c.productionAnswer(), c.candidateAnswer(), c.differences());
        }
    }

    /**
     * How faithfully a clone follows production (when the session compares answers): counts, the
     * divergence ratio, and the first divergent exchanges with both answers side by side.
     */
    public record FidelityStatus(String cloneName, String mode, long compared, long divergent, long noise, double ratio,
                                 Map<String, Long> dropped, List<Divergence> divergentExchanges) {

        static FidelityStatus of(CloneFidelity f) {
            return new FidelityStatus(f.cloneName(), f.mode().name().toLowerCase(java.util.Locale.ROOT),
                    f.comparedExchanges(), f.divergentExchanges(), f.noiseExchanges(), f.divergenceRatio(),
                    f.droppedComparisons(), f.divergenceLog().stream().map(Divergence::of).toList());
        }
    }

    /** One divergent exchange, as JSON-friendly text. */
    public record Divergence(long number, String at, String protocol, String connection, long exchange, String request,
                             String productionAnswer, String cloneAnswer, List<String> differences) {

        static Divergence of(DivergentExchange d) {
            return new Divergence(d.number(), d.at().toString(), d.protocol(), d.connection(), d.exchange(), d.request(),
                    d.productionAnswer(), d.cloneAnswer(), d.differences());
        }
    }

    /**
     * One clone the proxy feeds; {@code members} are the clones of its dependencies, in its sandbox;
     * {@code testHost} is where it runs (null: this host).
     */
    public record CloneStatus(int slot, String name, String address, long ageSeconds, long activeConnections,
                              long lagBytes, double lagSeconds, long desyncedConnections, long sentBytes,
                              long droppedBytes, boolean probesLoaded, List<GroupMember> members, String testHost) {
        public CloneStatus {
            members = members == null ? List.of() : List.copyOf(members);
        }

        /** A clone on this host. */
        public CloneStatus(int slot, String name, String address, long ageSeconds, long activeConnections,
                           long lagBytes, double lagSeconds, long desyncedConnections, long sentBytes,
                           long droppedBytes, boolean probesLoaded, List<GroupMember> members) {
            this(slot, name, address, ageSeconds, activeConnections, lagBytes, lagSeconds, desyncedConnections, sentBytes,
                    droppedBytes, probesLoaded, members, null);
        }
    }

    /** A dependency's clone in a clone's group: its production and where it answers in the sandbox. */
    public record GroupMember(String name, String production, String address, List<String> productionAddresses) {
    }

    /** Probe outcomes over every clone of the session, old ones included. */
    public record ProbeSummary(long pass, long fail, long error, long timeout, long skipped, List<ProbeLine> probes) {
    }

    /** Outcomes of one probe of one suite. */
    public record ProbeLine(String suite, String probe, long pass, long fail, long error, long timeout, long skipped) {
    }

    /** The compact line the foreground session prints every few seconds. */
    public String line() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("[%s] conns %d", clock(uptimeSeconds), activeConnections));
        for (CloneStatus c : clones) {
            b.append(String.format(" | %s age %s lag %s/%.3fs desynced %d", c.name(), clock(c.ageSeconds()),
                    bytes(c.lagBytes()), c.lagSeconds(), c.desyncedConnections()));
        }
        long resynced = resyncs.values().stream().mapToLong(Long::longValue).sum();
        b.append(" | resyncs ").append(resynced);
        for (FidelityStatus f : fidelity) {
            b.append(String.format(" | %s diverged %d/%d", f.cloneName(), f.divergent(), f.compared()));
        }
        if (candidate != null) {
            b.append(String.format(" | candidate%s changed %d/%d, control differs %d",
                    CandidateStatus.FRESH_START.equals(candidate.start()) ? " (fresh start, no live memory)" : "",
                    candidate.changed(), candidate.compared(), candidate.controlDiffers()));
        }
        if (probes.pass() + probes.fail() + probes.error() + probes.timeout() > 0) {
            b.append(String.format(" | probes pass %d fail %d error %d timeout %d", probes.pass(), probes.fail(),
                    probes.error(), probes.timeout()));
        }
        return b.toString();
    }

    private static String clock(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%02d:%02d", seconds / 60, seconds % 60);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1fKiB", n / 1024.0);
        }
        return String.format("%.1fMiB", n / 1048576.0);
    }
}
