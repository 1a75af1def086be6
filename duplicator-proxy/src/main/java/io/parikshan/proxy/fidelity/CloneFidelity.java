package io.parikshan.proxy.fidelity;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How faithfully one clone followed production since it was added (a re-sync that replaces the
 * clone starts from zero; the Prometheus counters keep counting).
 *
 * @param cloneName          the clone's name
 * @param mode               the compare mode
 * @param comparedExchanges  exchanges judged (equal, divergent or noise)
 * @param divergentExchanges exchanges where the clone diverged
 * @param noiseExchanges     exchanges that differed only where the clones disagree with each other
 * @param comparedBytes      production answer bytes compared with the clone's
 * @param droppedComparisons comparisons given up, by {@link DropReason#label()}
 * @param divergenceRatio    divergent / compared (0 when nothing was compared yet)
 * @param divergenceLog      the first divergent exchanges, in order (at most the configured log size)
 */
public record CloneFidelity(String cloneName, CompareMode mode, long comparedExchanges, long divergentExchanges,
                            long noiseExchanges, long comparedBytes, Map<String, Long> droppedComparisons,
                            double divergenceRatio, List<DivergentExchange> divergenceLog) {

    public CloneFidelity {
        Objects.requireNonNull(cloneName, "clone name");
        Objects.requireNonNull(mode, "mode");
        droppedComparisons = Map.copyOf(droppedComparisons);
        divergenceLog = List.copyOf(divergenceLog);
    }

    /** Comparisons given up for any reason. */
    public long droppedTotal() {
        return droppedComparisons.values().stream().mapToLong(Long::longValue).sum();
    }
}
